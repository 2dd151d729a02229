/**
 * `deno task main`: the main job on the embedded default. Until the notebooks land it is the
 * end-to-end library run: a tiny CEN training over generations 1→3 on the generated synthetic
 * faces, printing the metrics of each generation.
 */
const deno = Deno.execPath();
const status = await new Deno.Command(deno, {
  args: ["run", "-A", new URL("./train.ts", import.meta.url).pathname, "--profile", "tiny"],
  stdout: "inherit",
  stderr: "inherit",
}).spawn().status;
Deno.exit(status.code);
