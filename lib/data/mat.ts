/**
 * A small reader for MATLAB level-5 MAT-files (the format of IMDB-WIKI's `imdb.mat` and
 * `wiki.mat`): compressed elements (`miCOMPRESSED`, inflated with node:zlib), and arrays of the
 * numeric, logical, char, cell and struct classes. Sparse arrays, objects, function handles and
 * v7.3 (HDF5) files are refused with a {@link DataError}.
 *
 * Numeric data of every storage type becomes a `Float64Array` (int64 beyond 2^53 loses
 * precision); arrays are column-major, as MATLAB stores them.
 *
 * @module
 */
import { inflateSync } from "node:zlib";
import { DataError } from "../errors.ts";

/** MATLAB array classes this reader understands. */
export type MatNumericClass =
  | "double"
  | "single"
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "uint64";

/** A numeric or logical array. `data` is column-major; `imag` is set for complex arrays. */
export interface MatNumeric {
  kind: "numeric";
  class: MatNumericClass;
  logical: boolean;
  dims: number[];
  data: Float64Array;
  imag?: Float64Array;
}

/** A char array; `text` holds all characters in column-major order. */
export interface MatChar {
  kind: "char";
  dims: number[];
  text: string;
}

/** A cell array; `cells` in column-major order. */
export interface MatCell {
  kind: "cell";
  dims: number[];
  cells: MatValue[];
}

/** A struct array: `elements[i][field]`, elements in column-major order. */
export interface MatStruct {
  kind: "struct";
  dims: number[];
  fields: string[];
  elements: Record<string, MatValue>[];
}

/** Any value read from a MAT-file. */
export type MatValue = MatNumeric | MatChar | MatCell | MatStruct;

/** The variables of a MAT-file, by name, and its descriptive header text. */
export interface MatFile {
  header: string;
  variables: Record<string, MatValue>;
}

// Data types (MAT-File Format, Table 1-1).
const MI_INT8 = 1;
const MI_UINT8 = 2;
const MI_INT16 = 3;
const MI_UINT16 = 4;
const MI_INT32 = 5;
const MI_UINT32 = 6;
const MI_SINGLE = 7;
const MI_DOUBLE = 9;
const MI_INT64 = 12;
const MI_UINT64 = 13;
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;
const MI_UTF8 = 16;
const MI_UTF16 = 17;
const MI_UTF32 = 18;

// Array classes (MAT-File Format, Table 1-3).
const NUMERIC_CLASSES: Record<number, MatNumericClass> = {
  6: "double",
  7: "single",
  8: "int8",
  9: "uint8",
  10: "int16",
  11: "uint16",
  12: "int32",
  13: "uint32",
  14: "int64",
  15: "uint64",
};
const CLASS_NAMES: Record<number, string> = {
  1: "cell",
  2: "struct",
  3: "object",
  4: "char",
  5: "sparse",
  16: "function handle",
  17: "opaque",
};

/** One data element: its type and a view of its bytes. */
interface Element {
  type: number;
  bytes: Uint8Array;
}

/** A cursor over a byte buffer with the file's endianness. */
class Reader {
  readonly view: DataView;
  pos = 0;
  constructor(readonly bytes: Uint8Array, readonly le: boolean, readonly where: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get done(): boolean {
    return this.pos >= this.bytes.length;
  }
  /** Reads one tagged element (small or normal), advancing past its padding. */
  element(): Element {
    if (this.pos + 8 > this.bytes.length) this.fail("truncated element tag");
    const first = this.view.getUint32(this.pos, this.le);
    const small = first >>> 16;
    if (small !== 0) {
      // Small data element: 2-byte size, 2-byte type, data in the next 4 bytes.
      const type = first & 0xffff;
      if (small > 4) this.fail(`bad small element size ${small}`);
      const bytes = this.bytes.subarray(this.pos + 4, this.pos + 4 + small);
      this.pos += 8;
      return { type, bytes };
    }
    const type = first;
    const size = this.view.getUint32(this.pos + 4, this.le);
    const start = this.pos + 8;
    if (start + size > this.bytes.length) {
      this.fail(`element of ${size} bytes runs past the end (${this.bytes.length - start} left)`);
    }
    const bytes = this.bytes.subarray(start, start + size);
    // Compressed elements are not padded; all others are padded to 8 bytes.
    this.pos = type === MI_COMPRESSED ? start + size : start + Math.ceil(size / 8) * 8;
    return { type, bytes };
  }
  fail(message: string): never {
    throw new DataError(`${this.where}: malformed MAT-file: ${message}`);
  }
}

function typedValues(el: Element, le: boolean, r: Reader): Float64Array {
  const v = new DataView(el.bytes.buffer, el.bytes.byteOffset, el.bytes.byteLength);
  const width: Record<number, number> = {
    [MI_INT8]: 1,
    [MI_UINT8]: 1,
    [MI_INT16]: 2,
    [MI_UINT16]: 2,
    [MI_INT32]: 4,
    [MI_UINT32]: 4,
    [MI_SINGLE]: 4,
    [MI_DOUBLE]: 8,
    [MI_INT64]: 8,
    [MI_UINT64]: 8,
  };
  const w = width[el.type];
  if (w === undefined) r.fail(`unexpected numeric storage type ${el.type}`);
  if (el.bytes.length % w !== 0) r.fail(`${el.bytes.length} bytes is not a multiple of ${w}`);
  const n = el.bytes.length / w;
  const out = new Float64Array(n);
  switch (el.type) {
    case MI_INT8:
      for (let i = 0; i < n; i++) out[i] = v.getInt8(i);
      break;
    case MI_UINT8:
      for (let i = 0; i < n; i++) out[i] = v.getUint8(i);
      break;
    case MI_INT16:
      for (let i = 0; i < n; i++) out[i] = v.getInt16(2 * i, le);
      break;
    case MI_UINT16:
      for (let i = 0; i < n; i++) out[i] = v.getUint16(2 * i, le);
      break;
    case MI_INT32:
      for (let i = 0; i < n; i++) out[i] = v.getInt32(4 * i, le);
      break;
    case MI_UINT32:
      for (let i = 0; i < n; i++) out[i] = v.getUint32(4 * i, le);
      break;
    case MI_SINGLE:
      for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, le);
      break;
    case MI_DOUBLE:
      for (let i = 0; i < n; i++) out[i] = v.getFloat64(8 * i, le);
      break;
    case MI_INT64:
      for (let i = 0; i < n; i++) out[i] = Number(v.getBigInt64(8 * i, le));
      break;
    case MI_UINT64:
      for (let i = 0; i < n; i++) out[i] = Number(v.getBigUint64(8 * i, le));
      break;
  }
  return out;
}

function charText(el: Element, le: boolean, r: Reader): string {
  switch (el.type) {
    case MI_UTF8:
    case MI_UINT8:
    case MI_INT8:
      return new TextDecoder("utf-8").decode(el.bytes);
    case MI_UINT16:
    case MI_UTF16:
      return new TextDecoder(le ? "utf-16le" : "utf-16be").decode(el.bytes);
    case MI_UTF32:
    case MI_UINT32:
    case MI_INT32:
      return String.fromCodePoint(...typedValues({ type: MI_UINT32, bytes: el.bytes }, le, r));
    default:
      return r.fail(`unexpected char storage type ${el.type}`);
  }
}

function product(dims: number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Parses the body of an miMATRIX element. */
function parseMatrix(
  bytes: Uint8Array,
  le: boolean,
  where: string,
): { name: string; value: MatValue } {
  if (bytes.length === 0) {
    // An empty miMATRIX stands for an empty double array (e.g. an empty cell element).
    return {
      name: "",
      value: {
        kind: "numeric",
        class: "double",
        logical: false,
        dims: [0, 0],
        data: new Float64Array(0),
      },
    };
  }
  const r = new Reader(bytes, le, where);
  const flagsEl = r.element();
  if (flagsEl.bytes.length < 4) r.fail("array flags too short");
  const flags = new DataView(flagsEl.bytes.buffer, flagsEl.bytes.byteOffset, 8).getUint32(0, le);
  const cls = flags & 0xff;
  const complex = (flags & 0x800) !== 0;
  const logical = (flags & 0x200) !== 0;
  const dims = Array.from(typedValues(r.element(), le, r));
  const name = new TextDecoder().decode(r.element().bytes);
  const n = product(dims);

  const numericClass = NUMERIC_CLASSES[cls];
  if (numericClass !== undefined) {
    const data = typedValues(r.element(), le, r);
    if (data.length !== n) r.fail(`"${name}": ${data.length} values for dims ${dims.join("x")}`);
    const value: MatNumeric = { kind: "numeric", class: numericClass, logical, dims, data };
    if (complex) value.imag = typedValues(r.element(), le, r);
    return { name, value };
  }
  switch (cls) {
    case 4: {
      const text = n === 0 && r.done ? "" : charText(r.element(), le, r);
      return { name, value: { kind: "char", dims, text } };
    }
    case 1: {
      const cells: MatValue[] = [];
      for (let i = 0; i < n; i++) cells.push(readMatrixElement(r, le, where).value);
      return { name, value: { kind: "cell", dims, cells } };
    }
    case 2: {
      const lenEl = typedValues(r.element(), le, r);
      const fieldLen = lenEl[0];
      const namesBytes = r.element().bytes;
      if (!(fieldLen > 0) && namesBytes.length > 0) r.fail(`"${name}": bad field name length`);
      const fields: string[] = [];
      for (let off = 0; off + fieldLen <= namesBytes.length && fieldLen > 0; off += fieldLen) {
        const raw = namesBytes.subarray(off, off + fieldLen);
        const end = raw.indexOf(0);
        fields.push(new TextDecoder().decode(end < 0 ? raw : raw.subarray(0, end)));
      }
      const elements: Record<string, MatValue>[] = [];
      for (let i = 0; i < n; i++) {
        const el: Record<string, MatValue> = {};
        for (const f of fields) el[f] = readMatrixElement(r, le, where).value;
        elements.push(el);
      }
      return { name, value: { kind: "struct", dims, fields, elements } };
    }
    default:
      throw new DataError(
        `${where}: MAT-file array "${name}" has class ${
          CLASS_NAMES[cls] ?? `#${cls}`
        }, which this reader does not support`,
      );
  }
}

function readMatrixElement(
  r: Reader,
  le: boolean,
  where: string,
): { name: string; value: MatValue } {
  const el = r.element();
  if (el.type !== MI_MATRIX) r.fail(`expected an array (miMATRIX), got data type ${el.type}`);
  return parseMatrix(el.bytes, le, where);
}

function inflate(bytes: Uint8Array, where: string): Uint8Array {
  try {
    return new Uint8Array(inflateSync(bytes));
  } catch (e) {
    throw new DataError(`${where}: malformed MAT-file: cannot inflate a compressed element (${e})`);
  }
}

/**
 * Parses the bytes of a level-5 MAT-file. `where` names the file in error messages.
 * Throws {@link DataError} on a truncated or malformed file and on unsupported array classes.
 */
export function parseMat(bytes: Uint8Array, where = "MAT-file"): MatFile {
  if (bytes.length < 128) {
    throw new DataError(`${where}: not a MAT-file (only ${bytes.length} bytes)`);
  }
  const header = new TextDecoder("latin1").decode(bytes.subarray(0, 116)).trimEnd();
  if (header.startsWith("MATLAB 7.3")) {
    throw new DataError(
      `${where}: MAT-file v7.3 (HDF5) is not supported; re-save it in MATLAB with -v7`,
    );
  }
  const endian = String.fromCharCode(bytes[126], bytes[127]);
  if (endian !== "IM" && endian !== "MI") {
    throw new DataError(`${where}: not a level-5 MAT-file (no endian indicator in the header)`);
  }
  const le = endian === "IM";
  const version = new DataView(bytes.buffer, bytes.byteOffset + 124, 2).getUint16(0, le);
  if (version !== 0x0100) {
    throw new DataError(`${where}: unsupported MAT-file version 0x${version.toString(16)}`);
  }
  const r = new Reader(bytes.subarray(128), le, where);
  const variables: Record<string, MatValue> = {};
  while (!r.done) {
    let el = r.element();
    if (el.type === MI_COMPRESSED) {
      const inner = new Reader(inflate(el.bytes, where), le, where);
      el = inner.element();
    }
    if (el.type !== MI_MATRIX) continue; // Top-level non-array elements carry no variable.
    const { name, value } = parseMatrix(el.bytes, le, where);
    variables[name] = value;
  }
  return { header, variables };
}

/** Reads and parses a MAT-file from disk. */
export async function readMat(path: string): Promise<MatFile> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new DataError(`MAT-file not found: ${path}`);
    const why = e instanceof Deno.errors.IsADirectory || (e as Error).message?.includes("directory")
      ? "a folder, not a file"
      : `cannot be read (${(e as Error).message})`;
    throw new DataError(`MAT-file ${path}: ${why}: restore it from the dataset's download`);
  }
  return parseMat(bytes, path);
}

/** The numbers of a numeric array, or a {@link DataError} naming `what`. */
export function matNumbers(v: MatValue | undefined, what: string): Float64Array {
  if (v?.kind !== "numeric") {
    throw new DataError(`${what}: expected a numeric array, got ${v?.kind ?? "nothing"}`);
  }
  return v.data;
}

/** The strings of a cell array of char arrays (a cellstr); a non-char cell becomes `undefined`. */
export function matStrings(v: MatValue | undefined, what: string): (string | undefined)[] {
  if (v?.kind === "char") return charRows(v);
  if (v?.kind !== "cell") {
    throw new DataError(`${what}: expected a cell array of strings, got ${v?.kind ?? "nothing"}`);
  }
  return v.cells.map((c) => (c.kind === "char" ? c.text : undefined));
}

/** The rows of a 2-D char array (MATLAB stores it column-major), right-trimmed. */
export function charRows(v: MatChar): string[] {
  const chars = Array.from(v.text);
  const rows = v.dims[0] ?? 0;
  const cols = rows === 0 ? 0 : chars.length / rows;
  const out: string[] = [];
  for (let i = 0; i < rows; i++) {
    let s = "";
    for (let j = 0; j < cols; j++) s += chars[j * rows + i];
    out.push(s.trimEnd());
  }
  return out;
}
