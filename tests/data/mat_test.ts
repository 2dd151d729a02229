import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@std/assert";
import { deflateSync } from "node:zlib";
import { DataError } from "../../lib/errors.ts";
import { charRows, type MatValue, parseMat, readMat } from "../../lib/data/mat.ts";
import { noRealData, skipUnless } from "../helpers/skip.ts";

const FIXTURES = new URL("../../data/fixtures/mat/", import.meta.url).pathname;

function numeric(v: MatValue | undefined): { cls: string; dims: number[]; data: number[] } {
  if (v?.kind !== "numeric") throw new Error(`not numeric: ${v?.kind}`);
  return { cls: v.class, dims: v.dims, data: Array.from(v.data) };
}

for (const file of ["types.mat", "types-plain.mat"]) {
  Deno.test(`mat: reads every supported kind from scipy's ${file}`, async () => {
    const { header, variables: v } = await readMat(FIXTURES + file);
    assert(header.startsWith("MATLAB 5.0 MAT-file"), header);
    // 2x3 double [[1 2 3];[4 5 6]] stored column-major.
    assertEquals(numeric(v.d), { cls: "double", dims: [2, 3], data: [1, 4, 2, 5, 3, 6] });
    assertEquals(numeric(v.i32), { cls: "int32", dims: [1, 2], data: [-7, 2147483647] });
    assertEquals(numeric(v.u8), { cls: "uint8", dims: [1, 3], data: [0, 255, 9] });
    assertEquals(numeric(v.f32).data, [0.25]);
    assertEquals(numeric(v.u64).data, [2 ** 40 + 1]);
    assert(v.b.kind === "numeric" && v.b.logical);
    assertEquals(numeric(v.b).data, [1, 0]);
    assert(v.z.kind === "numeric" && v.z.imag !== undefined);
    assertEquals(Array.from(v.z.data), [1, -3.5]);
    assertEquals(Array.from(v.z.imag), [2, -0.5]);
    const nan = numeric(v.nan).data;
    assert(Number.isNaN(nan[0]));
    assertEquals(nan.slice(1), [Infinity, -Infinity]);
    assert(v.s.kind === "char");
    assertEquals(v.s.text, "Grüße");
    assert(v.rows.kind === "char");
    assertEquals(charRows(v.rows), ["ab", "cd"]);
    assert(v.c.kind === "cell");
    assertEquals(v.c.dims, [1, 3]);
    assertEquals(numeric(v.c.cells[0]), { cls: "int16", dims: [1, 3], data: [1, 2, 3] });
    assert(v.c.cells[1].kind === "char" && v.c.cells[1].text === "héllo");
    assertEquals(numeric(v.c.cells[2]).data, []);
    assert(v.st.kind === "struct");
    assertEquals(v.st.fields, ["a", "b"]);
    assertEquals(v.st.elements.length, 2);
    assertEquals(numeric(v.st.elements[1].a).data, [-2]);
    const b1 = v.st.elements[1].b;
    assert(b1.kind === "char" && b1.text === "yz");
  });
}

// --- hand-built files: big-endian, unsupported classes, broken bytes -------------------------

function u32(n: number, le: boolean): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, le);
  return Array.from(b);
}
function pad8(bytes: number[]): number[] {
  const out = [...bytes];
  while (out.length % 8) out.push(0);
  return out;
}
function element(type: number, data: number[], le: boolean): number[] {
  return [...u32(type, le), ...u32(data.length, le), ...pad8(data)];
}
function header(le: boolean, text = "MATLAB 5.0 MAT-file, hand-made"): number[] {
  const h = new Array(128).fill(32);
  for (let i = 0; i < text.length; i++) h[i] = text.charCodeAt(i);
  for (let i = 116; i < 124; i++) h[i] = 0;
  const version = le ? [0x00, 0x01] : [0x01, 0x00];
  h.splice(124, 4, ...version, ...(le ? [73, 77] : [77, 73]));
  return h;
}
/** One miMATRIX of class `cls` named `name` with the given body elements. */
function matrix(cls: number, dims: number[], name: string, body: number[], le: boolean): number[] {
  const flags = element(6, [...u32(cls, le), 0, 0, 0, 0], le);
  const dimsEl = element(5, dims.flatMap((d) => u32(d, le)), le);
  const nameEl = element(1, Array.from(new TextEncoder().encode(name)), le);
  return element(14, [...flags, ...dimsEl, ...nameEl, ...body], le);
}
function f64(values: number[], le: boolean): number[] {
  return values.flatMap((x) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, le);
    return Array.from(b);
  });
}

Deno.test("mat: reads a big-endian file and a hand-compressed element", () => {
  const be = new Uint8Array([
    ...header(false),
    ...matrix(6, [1, 2], "x", element(9, f64([1.25, -3], false), false), false),
  ]);
  assertEquals(numeric(parseMat(be).variables.x).data, [1.25, -3]);

  const inner = new Uint8Array(matrix(6, [1, 1], "y", element(9, f64([7], true), true), true));
  const z = Array.from(deflateSync(inner));
  const le = new Uint8Array([...header(true), ...u32(15, true), ...u32(z.length, true), ...z]);
  assertEquals(numeric(parseMat(le).variables.y).data, [7]);
});

Deno.test("mat: small data elements (4 bytes packed in the tag) are read", () => {
  const le = true;
  // miINT32 small element holding one value, 42, as the numeric data of a double array.
  const small = [...u32((4 << 16) | 5, le), ...u32(42, le)];
  const bytes = new Uint8Array([...header(le), ...matrix(6, [1, 1], "k", small, le)]);
  assertEquals(numeric(parseMat(bytes).variables.k), { cls: "double", dims: [1, 1], data: [42] });
});

Deno.test("mat: refuses unsupported classes and broken files with a DataError", () => {
  const le = true;
  const sparse = new Uint8Array([...header(le), ...matrix(5, [2, 2], "sp", [], le)]);
  assertThrows(() => parseMat(sparse, "sp.mat"), DataError, "class sparse");
  assertThrows(() => parseMat(new Uint8Array(10), "tiny.mat"), DataError, "not a MAT-file");
  const h73 = new Uint8Array(header(le, "MATLAB 7.3 MAT-file, Platform: GLNXA64"));
  assertThrows(() => parseMat(h73, "v73.mat"), DataError, "v7.3 (HDF5)");
  const noMagic = new Uint8Array(header(le));
  noMagic[126] = 0;
  assertThrows(() => parseMat(noMagic), DataError, "not a level-5");
  const good = [...header(le), ...matrix(6, [1, 2], "x", element(9, f64([1, 2], le), le), le)];
  assertThrows(
    () => parseMat(new Uint8Array(good.slice(0, good.length - 9))),
    DataError,
    "past the end",
  );
  const badZ = new Uint8Array([...header(le), ...u32(15, le), ...u32(4, le), 1, 2, 3, 4]);
  assertThrows(() => parseMat(badZ), DataError, "cannot inflate");
  // dims say 3 values, data holds 2.
  const wrongCount = new Uint8Array([
    ...header(le),
    ...matrix(6, [1, 3], "w", element(9, f64([1, 2], le), le), le),
  ]);
  assertThrows(() => parseMat(wrongCount), DataError, "2 values for dims 1x3");
});

Deno.test("mat: a missing file is a DataError naming it", async () => {
  const e = await readMat("/nonexistent/x.mat").catch((e) => e);
  assert(e instanceof DataError && e.message.includes("/nonexistent/x.mat"));
});

const WIKI = Deno.env.get("CEN_WIKI_MAT");
Deno.test({
  name: "mat: reads the real wiki.mat (CEN_WIKI_MAT)",
  ignore: skipUnless(!!WIKI, noRealData("CEN_WIKI_MAT")),
  async fn() {
    const { variables } = await readMat(WIKI!);
    const w = variables.wiki;
    assert(w.kind === "struct");
    assertEquals(w.fields, [
      "dob",
      "photo_taken",
      "full_path",
      "gender",
      "name",
      "face_location",
      "face_score",
      "second_face_score",
    ]);
    const e = w.elements[0];
    assertEquals(numeric(e.dob).dims, [1, 62328]);
    assertEquals(numeric(e.dob).data[0], 723671); // 1981-05-05
    assertEquals(numeric(e.photo_taken).data[0], 2009);
    const paths = e.full_path;
    assert(paths.kind === "cell" && paths.cells.length === 62328);
    assert(paths.cells[0].kind === "char");
    assertEquals(paths.cells[0].text, "17/10000217_1981-05-05_2009.jpg");
    const loc = paths.kind === "cell" ? e.face_location : undefined;
    assert(loc?.kind === "cell" && loc.cells[0].kind === "numeric");
    assertAlmostEquals(loc.cells[0].data[0], 111.29109473, 1e-6);
  },
});
