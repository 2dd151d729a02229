/** Child process for the kill-and-resume test: trains `tinyConfig(JSON arg)` into a runs root. */
import { runEvolution } from "../../lib/train/evolve.ts";
import { tinyConfig, toySource } from "./tiny.ts";

const [root, json] = Deno.args;
const config = tinyConfig(JSON.parse(json));
await runEvolution(config, {
  train: toySource("toy-train", 96, 32, 1),
  test: toySource("toy-test", 32, 32, 2),
  runsRoot: root,
});
