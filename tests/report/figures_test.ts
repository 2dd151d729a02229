import { assertEquals, assertThrows } from "@std/assert";
import { distributionFigure, lineFigure, stackedBarFigure } from "../../lib/report/figures.ts";

Deno.test("distributionFigure: one line per curve, the true age dashed, marks dotted", () => {
  const fig = distributionFigure({ a: [0.2, 0.8] }, 10, 11, "t", { "ŷ": 10.8 });
  assertEquals(fig.data.length, 3);
  assertEquals(fig.data[0].x, [10, 11]);
  assertEquals(fig.data[1].name, "true age 11");
  assertEquals(fig.data[2].name, "ŷ = 10.80");
  assertEquals(fig.data[2].x, [10.8, 10.8]);
  assertEquals(fig.data[2].y, [0, 0.8]);
  assertEquals((fig.data[2].line as { dash: string }).dash, "dot");
});

Deno.test("lineFigure: markers by default; lines and a shaded band on request", () => {
  const plain = lineFigure([1, 2], { m: [3, 4] }, "t", "x");
  assertEquals(plain.data[0].mode, "lines+markers");
  assertEquals(plain.layout?.shapes, undefined);
  const fig = lineFigure([1, 2], { m: [3, 4] }, "t", "x", "y", {
    mode: "lines",
    band: { from: 1.2, to: 1.8, label: "zero here" },
  });
  assertEquals(fig.data[0].mode, "lines");
  const [shape] = fig.layout?.shapes as Record<string, unknown>[];
  assertEquals([shape.x0, shape.x1, shape.yref], [1.2, 1.8, "paper"]);
  const [note] = fig.layout?.annotations as Record<string, unknown>[];
  assertEquals([note.x, note.text], [1.5, "zero here"]);
});

Deno.test("stackedBarFigure: one bar trace per series, stacked, categories as text", () => {
  const fig = stackedBarFigure([1, 2], { a: [1, 2], b: [3, 4] }, "t", "λ", "loss");
  assertEquals(fig.data.map((d) => [d.type, d.name, d.x]), [["bar", "a", ["1", "2"]], [
    "bar",
    "b",
    ["1", "2"],
  ]]);
  assertEquals(fig.layout?.barmode, "stack");
  assertThrows(() => stackedBarFigure([1, 2], { a: [1] }, "t", "x", "y"), RangeError, "1 values");
});
