/**
 * `deno task train [--profile tiny|default|real|paper] [--key value ...]`: runs a profile's
 * pretraining (if any) and its CEN evolution, printing progress and each generation's metrics.
 * Any config field can be overridden (`--tau 3`, `--optim.epochs 2`, `--data.params.count 500`).
 * Rerunning the same command resumes or reuses the run.
 */
import { flagsToConfig, parseFlags } from "../lib/cli.ts";
import { runProfile } from "../lib/experiment.ts";

const { flags } = parseFlags(Deno.args);
const name = String(flags.profile ?? "tiny");
delete flags.profile;
const started = performance.now();
const { target } = await runProfile(name, flagsToConfig(flags));
console.log(`\nrun ${target.id} (${target.dir})`);
console.log("generation   MAE   MAE_ldl  MAE_reg   CA3    CA5    CA7");
for (const g of target.metrics.generations) {
  const m = g.metrics;
  console.log(
    `${String(g.generation).padStart(10)} ${m.mae.toFixed(3).padStart(6)} ${
      m.maeLdl.toFixed(3).padStart(8)
    } ` +
      `${m.maeReg.toFixed(3).padStart(8)} ${m.ca3.toFixed(1).padStart(6)} ${
        m.ca5.toFixed(1).padStart(6)
      } ` +
      `${m.ca7.toFixed(1).padStart(6)}`,
  );
}
console.log(`wall time ${((performance.now() - started) / 1000).toFixed(0)} s`);
