import {
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "@std/assert";
import { join } from "node:path";
import { ConfigError, DamagedFileError } from "../../lib/errors.ts";
import {
  declaredParameters,
  formatNotebook,
  hasOutputs,
  injectParameters,
  type Notebook,
  notebookToTypeScript,
  parseNotebook,
  parseParameterArgs,
  readNotebook,
  stripOutputs,
  writeNotebook,
} from "../../lib/publish/ipynb.ts";

function nb(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 4,
    metadata: { kernelspec: { name: "deno" } },
    cells: [
      { cell_type: "markdown", metadata: {}, source: "# T" },
      {
        cell_type: "code",
        metadata: { tags: ["parameters"] },
        source: [
          "const tau = 2;\n",
          'let profile: string = "default";\n',
          "const fast = false;\n",
          "const sizes = [64, 112];",
        ],
        outputs: [],
        execution_count: null,
      },
      {
        cell_type: "code",
        metadata: {},
        source: "console.log(tau)\ntau * 2",
        outputs: [{ output_type: "stream", name: "stdout", text: "2\n" }],
        execution_count: 3,
      },
    ],
  };
}

Deno.test("declaredParameters reads keyword, name and initializer of the parameters cell", () => {
  assertEquals(declaredParameters(nb()), [
    { keyword: "const", name: "tau", literal: "2" },
    { keyword: "let", name: "profile", literal: '"default"' },
    { keyword: "const", name: "fast", literal: "false" },
    { keyword: "const", name: "sizes", literal: "[64, 112]" },
  ]);
});

Deno.test("parseParameterArgs: pairs, = form, dashes to camelCase, errors", () => {
  assertEquals(parseParameterArgs(["--tau", "3", "--profile=real", "--max-epochs", "5"]), {
    tau: "3",
    profile: "real",
    maxEpochs: "5",
  });
  assertThrows(() => parseParameterArgs(["tau", "3"]), ConfigError, "expected --name value");
  assertThrows(() => parseParameterArgs(["--tau"]), ConfigError, "--tau needs a value");
});

Deno.test("injectParameters adds a tagged cell after the parameters cell with typed values", () => {
  const out = injectParameters(nb(), {
    tau: "3",
    profile: "real",
    fast: "true",
    sizes: "[32]",
  });
  assertEquals(out.cells.length, 4);
  assertEquals(out.cells[2].metadata.tags, ["injected-parameters"]);
  assertEquals(
    out.cells[2].source,
    '// Parameters injected by tools/notebook.ts\nconst tau = 3;\nlet profile = "real";\n' +
      "const fast = true;\nconst sizes = [32];",
  );
  // Re-injecting replaces the earlier injected cell instead of stacking a second one.
  const again = injectParameters(out, { tau: "4" });
  assertEquals(again.cells.length, 4);
  assertMatch(String(again.cells[2].source), /const tau = 4;/);
  // The input is not modified.
  assertEquals(nb().cells.length, 3);
});

Deno.test("injectParameters rejects unknown names, bad values and notebooks without parameters", () => {
  assertThrows(() => injectParameters(nb(), { alpha: "1" }), ConfigError, "has: tau, profile");
  assertThrows(() => injectParameters(nb(), { tau: "three" }), ConfigError, "expected a number");
  assertThrows(() => injectParameters(nb(), { fast: "yes" }), ConfigError, "true or false");
  const bare = nb();
  bare.cells[1].metadata = {};
  assertThrows(() => injectParameters(bare, { tau: "3" }), ConfigError, "no cell tagged");
  assertEquals(injectParameters(bare, {}).cells.length, 3);
});

Deno.test("stripOutputs clears outputs, counts and injected cells; hasOutputs finds them", () => {
  const injected = injectParameters(nb(), { tau: "3" });
  injected.cells[2].execution_count = 2;
  assertEquals(hasOutputs(injected), [2, 3]);
  const clean = stripOutputs(injected);
  assertEquals(clean.cells.length, 3);
  assertEquals(hasOutputs(clean), []);
  assertEquals(clean.cells[2].outputs, []);
  assertEquals(clean.cells[2].execution_count, null);
});

Deno.test("formatNotebook writes nbformat's layout: sorted keys, 1-space indent, newline", () => {
  const text = formatNotebook(
    parseNotebook('{"nbformat":4,"nbformat_minor":4,"metadata":{},"cells":[]}'),
  );
  assertEquals(
    text,
    '{\n "cells": [],\n "metadata": {},\n "nbformat": 4,\n "nbformat_minor": 4\n}\n',
  );
  assertThrows(() => parseNotebook("{}", "x.ipynb"), ConfigError, "x.ipynb is not an nbformat-4");
  assertThrows(() => parseNotebook("{", "x.ipynb"), ConfigError, "not valid JSON");
});

Deno.test("notebookToTypeScript joins code cells and maps lines back to cells", () => {
  const mod = notebookToTypeScript(nb());
  const lines = mod.code.split("\n");
  const at = lines.indexOf("tau * 2");
  assertEquals(mod.lines[at], { cell: 3, line: 2 });
  assertEquals(mod.lines[lines.indexOf("const tau = 2;")], { cell: 2, line: 1 });
  assertEquals(lines.includes("# T"), false);
});

Deno.test("a damaged notebook file (cut short, empty, garbage, a folder, not a notebook) is one line naming it", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "07-summary.ipynb");
  const whole = formatNotebook({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 });
  await writeNotebook(path, JSON.parse(whole));
  assertEquals((await readNotebook(path)).nbformat, 4);
  const cases: [string | null, string][] = [
    [whole.slice(0, 20), "cut short"],
    ["", "empty"],
    ["\u0000garbage", "not JSON"],
    ['{"cells": 3}', "not an nbformat-4 notebook"],
    [null, "a folder, not a file"],
  ];
  for (const [text, why] of cases) {
    await Deno.remove(path, { recursive: true });
    if (text === null) await Deno.mkdir(path);
    else await Deno.writeTextFile(path, text);
    const e = await assertRejects(() => readNotebook(path), DamagedFileError);
    assertStringIncludes(e.message, path);
    assertStringIncludes(e.message, why);
    assertStringIncludes(e.message, "deno task notebook");
  }
  // no temporary file is left by a write
  await Deno.remove(path, { recursive: true });
  await writeNotebook(path, JSON.parse(whole));
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["07-summary.ipynb"]);
});
