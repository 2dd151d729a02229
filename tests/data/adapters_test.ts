import { assert, assertEquals } from "@std/assert";
import { join } from "node:path";
import { DataError } from "../../lib/errors.ts";
import { ADAPTERS, datasetNames, loadDataset } from "../../lib/data/adapters/index.ts";
import {
  parseFiniteNumber,
  parseIntegerAge,
  splitCsvLine,
} from "../../lib/data/adapters/common.ts";

Deno.test("adapters: the index names every dataset", () => {
  assertEquals(datasetNames(), ["utkface", "imdb-wiki", "morph", "chalearn", "megaage", "aaf"]);
  for (const name of datasetNames()) assert(ADAPTERS[name].description.length > 0);
});

Deno.test("adapters: loadDataset passes options and refuses unknown names and options", async () => {
  const root = await Deno.makeTempDir();
  try {
    await Deno.writeFile(join(root, "90_0_0_20170119171729342.jpg.chip.jpg"), new Uint8Array([1]));
    assertEquals((await loadDataset("utkface", root)).samples.length, 1);
    assertEquals((await loadDataset("utkface", root, { maxAge: 80 })).samples.length, 0);
    let e = await loadDataset("morph2", root).catch((e) => e);
    assert(e instanceof DataError && e.message.includes('unknown dataset "morph2"'));
    e = await loadDataset("utkface", root, { split: "x" }).catch((e) => e);
    assert(e instanceof DataError && e.message.includes('unknown option "split"'));
    e = await loadDataset("toString", root).catch((e) => e);
    assert(e instanceof DataError);
    e = await loadDataset("utkface", root, { minAge: 50, maxAge: 40 }).catch((e) => e);
    assert(e instanceof DataError && e.message.includes("minAge (50) > maxAge (40)"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("adapters: label parsing never guesses", () => {
  assertEquals(parseIntegerAge("42"), 42);
  assertEquals(parseIntegerAge(" 7 "), 7);
  for (const bad of ["", "4.0", "4x", "-3", "NaN", "1e2", undefined]) {
    assertEquals(parseIntegerAge(bad), undefined, String(bad));
  }
  assertEquals(parseFiniteNumber("25.37"), 25.37);
  assertEquals(parseFiniteNumber("-.5"), -0.5);
  for (const bad of ["", "abc", "Infinity", "NaN", "1,5", "0x10"]) {
    assertEquals(parseFiniteNumber(bad), undefined, bad);
  }
  assertEquals(splitCsvLine('a,"b, c",d'), ["a", "b, c", "d"]);
  assertEquals(splitCsvLine('"say ""hi""",2'), ['say "hi"', "2"]);
  assertEquals(splitCsvLine("a;b", ";"), ["a", "b"]);
  assertEquals(splitCsvLine('"open,1'), undefined);
});
