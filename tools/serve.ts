/**
 * `deno task serve [--port N] [--host H] [--run <id|dir>] [--out <folder>]`
 *
 * Serves the age-estimation web page (web/, lib/web/site.ts): pick or drop a photo, and the page
 * finds the faces, aligns them as `deno task predict` does, and shows each face's age and age
 * distribution. Everything runs in the browser; the photo is never uploaded. The model is the
 * shipped one in `model/` unless `--run` names another. `--out` writes the same files to a folder
 * for any static web server instead of serving them.
 *
 * @module
 */
import { resolve } from "node:path";
import { type CommandSpec, runCli } from "../lib/cli.ts";
import { NotFoundError, UsageError } from "../lib/errors.ts";
import { SHIPPED_MODEL_DIR } from "../lib/paths.ts";
import { finalModelDir } from "../lib/train/run.ts";
import { serveSite, siteFiles, writeSite } from "../lib/web/site.ts";

/** The command line of `deno task serve`. */
export const SERVE_CLI = {
  name: "serve",
  usage: "deno task serve [--port N] [--host H] [--run <id|dir>] [--out <folder>]",
  summary: "Serves the web page that estimates the ages of the faces in a photo, in the " +
    "browser (nothing is uploaded).",
  options: {
    port: { type: "integer", help: "port to listen on (default 8000; 0: any free port)" },
    host: {
      type: "string",
      value: "<host>",
      help: "interface to listen on (default 127.0.0.1, this machine only; 0.0.0.0: every one)",
    },
    run: {
      type: "string",
      value: "<id|dir>",
      help:
        "the run or model folder whose model the page uses (default: the shipped one in model/)",
    },
    out: {
      type: "string",
      value: "<folder>",
      help: "write the site's files to this folder instead of serving them",
    },
  },
} as const satisfies CommandSpec;

/** The model folder: the named run's final model, else the shipped one. */
async function modelDirOf(run: string | undefined): Promise<string> {
  if (run === undefined) return SHIPPED_MODEL_DIR;
  try {
    return await finalModelDir(run);
  } catch (e) {
    throw new NotFoundError(`--run ${run}: ${(e as Error).message}`);
  }
}

if (import.meta.main) {
  await runCli(SERVE_CLI, async ({ options }) => {
    const port = options.port ?? 8000;
    if (port < 0 || port > 65535) throw new UsageError(`--port ${port}: not a port (0–65535)`);
    const modelDir = await modelDirOf(options.run);
    const site = await siteFiles(modelDir);
    if (options.out) {
      const dir = resolve(options.out);
      await writeSite(site, dir);
      console.log(`wrote ${site.size} files to ${dir} (model ${modelDir})`);
      return;
    }
    const server = serveSite(site, {
      port,
      hostname: options.host,
      onListen: (url) => console.log(`serving ${url} (model ${modelDir}); Ctrl-C stops`),
    });
    await server.finished;
  });
}
