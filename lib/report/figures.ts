/**
 * Plotly figures the notebooks share: age histograms, training curves, predicted-vs-true
 * scatter, and predicted age distributions (the paper's Figures 3–5).
 *
 * @module
 */
import type { GenerationResult } from "../train/run.ts";
import type { Figure } from "./plot.ts";

/** Histogram of ages, one trace per named set. */
export function ageHistogram(
  sets: Record<string, ArrayLike<number>>,
  title = "Age histogram",
): Figure {
  return {
    data: Object.entries(sets).map(([name, ages]) => ({
      x: Array.from(ages),
      type: "histogram",
      name,
      opacity: 0.6,
      xbins: { size: 1 },
    })),
    layout: { title: { text: title }, barmode: "overlay", xaxis: { title: { text: "age" } } },
  };
}

/** Training loss per epoch of each generation (one line per generation). */
export function lossCurves(
  generations: readonly GenerationResult[],
  title = "Training loss",
): Figure {
  return {
    data: generations.map((g) => ({
      x: g.epochs.map((e) => e.epoch),
      y: g.epochs.map((e) => e.loss),
      type: "scatter",
      mode: "lines+markers",
      name: `t = ${g.generation}`,
    })),
    layout: {
      title: { text: title },
      xaxis: { title: { text: "epoch" } },
      yaxis: { title: { text: "loss (Eq. 14 / 15)" } },
    },
  };
}

/** Predicted against true age, with the diagonal. */
export function predictedVsTrue(
  age: ArrayLike<number>,
  pred: ArrayLike<number>,
  title: string,
): Figure {
  const lo = Math.min(...Array.from(age)), hi = Math.max(...Array.from(age));
  return {
    data: [
      {
        x: Array.from(age),
        y: Array.from(pred),
        type: "scatter",
        mode: "markers",
        name: "test image",
        marker: { size: 4, opacity: 0.5 },
      },
      { x: [lo, hi], y: [lo, hi], type: "scatter", mode: "lines", name: "ŷ = y" },
    ],
    layout: {
      title: { text: title },
      xaxis: { title: { text: "true age" } },
      yaxis: { title: { text: "predicted age" } },
    },
  };
}

/** One image's predicted distributions over ages (one line per label), with its true age marked. */
export function distributionFigure(
  curves: Record<string, ArrayLike<number>>,
  minAge: number,
  trueAge: number,
  title: string,
): Figure {
  const traces: Figure["data"] = Object.entries(curves).map(([name, p]) => ({
    x: Array.from({ length: p.length }, (_, i) => minAge + i),
    y: Array.from(p),
    type: "scatter",
    mode: "lines",
    name,
  }));
  const top = Math.max(...Object.values(curves).flatMap((p) => Array.from(p)));
  traces.push({
    x: [trueAge, trueAge],
    y: [0, top],
    type: "scatter",
    mode: "lines",
    name: `true age ${trueAge}`,
    line: { dash: "dash", color: "black" },
  });
  return {
    data: traces,
    layout: {
      title: { text: title },
      xaxis: { title: { text: "age" } },
      yaxis: { title: { text: "p" } },
    },
  };
}

/** A line per named series over shared x values (e.g. MAE against τ, or against generation). */
export function lineFigure(
  x: readonly (number | string)[],
  series: Record<string, readonly number[]>,
  title: string,
  xTitle: string,
  yTitle = "MAE",
): Figure {
  return {
    data: Object.entries(series).map(([name, y]) => ({
      x: [...x],
      y: [...y],
      type: "scatter",
      mode: "lines+markers",
      name,
    })),
    layout: {
      title: { text: title },
      xaxis: { title: { text: xTitle } },
      yaxis: { title: { text: yTitle } },
    },
  };
}
