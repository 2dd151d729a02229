/**
 * `deno task serve` (tools/serve.ts): it serves the page, its bundle, the model and face-api's
 * nets, and nothing else (404; GET and HEAD only); `--out` writes the same files for a static host;
 * a missing model is one line and exit 2; web/app.ts type-checks. Every child process has a time
 * limit.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { join } from "node:path";
import { LIMIT } from "../helpers/deadline.ts";
import { lastLine, ROOT, runTool } from "../helpers/tool.ts";
import { testModel } from "../helpers/web.ts";

/** Reads `stream` until a line matches `pattern`; returns the match. */
async function waitForLine(
  stream: ReadableStream<Uint8Array>,
  pattern: RegExp,
): Promise<RegExpMatchArray> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the server exited before printing ${pattern}: ${text}`);
      text += value;
      const m = text.match(pattern);
      if (m) return m;
    }
  } finally {
    reader.releaseLock();
  }
}

Deno.test("deno task serve: the page and its files over HTTP, nothing else", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cen-serve-" });
  const { modelDir } = await testModel(dir);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tools/serve.ts", "--port", "0", "--run", modelDir],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
    signal: AbortSignal.timeout(LIMIT.tool), // a stuck server fails the test
  }).spawn();
  try {
    const [, url] = await waitForLine(child.stdout, /serving (http:\/\/\S+\/) /);
    const get = async (path: string, init?: RequestInit) => {
      const r = await fetch(new URL(path, url), init);
      await r.body?.cancel();
      return [r.status, r.headers.get("content-type")];
    };
    assertEquals(await get(""), [200, "text/html; charset=utf-8"]);
    assertEquals(await get("app.js"), [200, "text/javascript; charset=utf-8"]);
    assertEquals(await get("model/model.json"), [200, "application/json"]);
    assertEquals(await get("model/weights.bin"), [200, "application/octet-stream"]);
    assertEquals(await get("face-api/ssd_mobilenetv1_model-weights_manifest.json"), [
      200,
      "application/json",
    ]);
    assertEquals(await get("wasm/tfjs-backend-wasm-simd.wasm"), [200, "application/wasm"]);
    assertEquals((await get("../deno.json"))[0], 404);
    assertEquals((await get("model/../../deno.json"))[0], 404);
    assertEquals((await get("", { method: "POST", body: "x" }))[0], 405);
  } finally {
    child.kill("SIGTERM");
    await child.stdout.cancel().catch(() => {});
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task serve --out: the site as files; a missing model is one line, exit 2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cen-serve-out-" });
  try {
    const { modelDir } = await testModel(dir);
    const out = join(dir, "site");
    const r = await runTool("tools/serve.ts", ["--run", modelDir, "--out", out], {
      timeoutMs: LIMIT.tool,
    });
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stdout, `to ${out}`);
    for (const f of ["index.html", "app.js", "plotly.min.js", "model/model.json", "sample.jpg"]) {
      assert((await Deno.stat(join(out, f))).size > 0, f);
    }
    const html = await Deno.readTextFile(join(out, "index.html"));
    assertStringIncludes(html, "connect-src 'self'"); // the page may not send the photo anywhere
    const missing = await runTool("tools/serve.ts", ["--run", join(dir, "nothing")], {
      timeoutMs: LIMIT.tool,
    });
    assertEquals(missing.code, 2);
    assertStringIncludes(lastLine(missing.stderr), "--run");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("web/app.ts type-checks (with the DOM library; no test imports it, esbuild does not check)", async () => {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", "web/app.ts"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(LIMIT.tool),
  }).output();
  assertEquals(r.code, 0, new TextDecoder().decode(r.stderr).slice(-3000));
});
