/**
 * Plotly figures the notebooks share: age histograms, training curves, predicted-vs-true
 * scatter, predicted age distributions (the paper's Figures 3–5), lines (MAE against a setting, a
 * loss against its input, with an optional shaded interval) and stacked bars (the parts of a loss).
 *
 * @module
 */
import type { EpochLog, GenerationResult } from "../train/run.ts";
import type { Figure } from "./plot.ts";

/** Histogram of ages (or of any values in years), one trace per named set, 1-year bins. */
export function ageHistogram(
  sets: Record<string, ArrayLike<number>>,
  title = "Age histogram",
  xTitle = "age",
): Figure {
  return {
    data: Object.entries(sets).map(([name, ages]) => ({
      x: Array.from(ages),
      type: "histogram",
      name,
      opacity: 0.6,
      xbins: { size: 1 },
    })),
    layout: { title: { text: title }, barmode: "overlay", xaxis: { title: { text: xTitle } } },
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

/**
 * The learning curve of a run scored every epoch (`evalEvery`): held-out MAE and training loss
 * by epoch, on two axes.
 */
export function learningCurve(epochs: readonly EpochLog[], title = "Learning curve"): Figure {
  const scored = epochs.filter((e) => e.testMae !== undefined);
  return {
    data: [
      {
        x: scored.map((e) => e.epoch),
        y: scored.map((e) => e.testMae!),
        type: "scatter",
        mode: "lines+markers",
        name: "held-out MAE (years)",
      },
      {
        x: epochs.map((e) => e.epoch),
        y: epochs.map((e) => e.loss),
        type: "scatter",
        mode: "lines",
        name: "training loss",
        yaxis: "y2",
      },
    ],
    layout: {
      title: { text: title },
      xaxis: { title: { text: "epoch" } },
      yaxis: { title: { text: "held-out MAE (years)" } },
      yaxis2: { title: { text: "loss (Eq. 14)" }, overlaying: "y", side: "right" },
    },
  };
}

/**
 * The epoch curve (lib/study/epochs.ts): generation 1's test MAE of ŷ, ŷ_ldl and ŷ_reg against
 * the training length (log axis: each point doubles the last), the chosen length marked.
 */
export function epochCurveFigure(
  points: readonly { epochs: number; mae: number; maeLdl: number; maeReg: number }[],
  chosen: number,
  title = "How long to train: generation 1's test MAE by training length",
): Figure {
  const line = (name: string, y: number[]) => ({
    x: points.map((p) => p.epochs),
    y,
    type: "scatter",
    mode: "lines+markers",
    name,
  });
  return {
    data: [
      line("ŷ (Eq. 18)", points.map((p) => p.mae)),
      line("ŷ_ldl (Eq. 16)", points.map((p) => p.maeLdl)),
      line("ŷ_reg (Eq. 17)", points.map((p) => p.maeReg)),
    ],
    layout: {
      title: { text: title },
      xaxis: {
        title: { text: "epochs (log scale)" },
        type: "log",
        tickvals: points.map((p) => p.epochs),
      },
      yaxis: { title: { text: "test MAE (years)" } },
      shapes: [{
        type: "line",
        x0: chosen,
        x1: chosen,
        yref: "paper",
        y0: 0,
        y1: 1,
        line: { dash: "dot" },
      }],
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

/**
 * One image's predicted distributions over ages (one line per label), with its true age marked
 * (dashed) and, optionally, other named ages marked (dotted), e.g. the predictions of Eqs. 16–18.
 */
export function distributionFigure(
  curves: Record<string, ArrayLike<number>>,
  minAge: number,
  trueAge: number,
  title: string,
  marks: Record<string, number> = {},
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
  for (const [name, age] of Object.entries(marks)) {
    traces.push({
      x: [age, age],
      y: [0, top],
      type: "scatter",
      mode: "lines",
      name: `${name} = ${age.toFixed(2)}`,
      line: { dash: "dot" },
    });
  }
  return {
    data: traces,
    layout: {
      title: { text: title },
      xaxis: { title: { text: "age" } },
      yaxis: { title: { text: "p" } },
    },
  };
}

/** Options of {@link lineFigure}. */
export interface LineOptions {
  /** "lines+markers" (default) or "lines" (for dense curves, e.g. a loss against its input). */
  mode?: "lines" | "lines+markers";
  /** A shaded x interval with a label (e.g. where a loss is zero). */
  band?: { from: number; to: number; label: string };
}

/** A line per named series over shared x values (e.g. MAE against τ, or against generation). */
export function lineFigure(
  x: readonly (number | string)[],
  series: Record<string, readonly number[]>,
  title: string,
  xTitle: string,
  yTitle = "MAE",
  options: LineOptions = {},
): Figure {
  const band = options.band;
  return {
    data: Object.entries(series).map(([name, y]) => ({
      x: [...x],
      y: [...y],
      type: "scatter",
      mode: options.mode ?? "lines+markers",
      name,
    })),
    layout: {
      title: { text: title },
      xaxis: { title: { text: xTitle } },
      yaxis: { title: { text: yTitle } },
      ...(band
        ? {
          shapes: [{
            type: "rect",
            xref: "x",
            yref: "paper",
            x0: band.from,
            x1: band.to,
            y0: 0,
            y1: 1,
            fillcolor: "rgba(44, 160, 44, 0.15)",
            line: { width: 0 },
          }],
          annotations: [{
            x: (band.from + band.to) / 2,
            y: 1,
            xref: "x",
            yref: "paper",
            yanchor: "bottom",
            text: band.label,
            showarrow: false,
          }],
        }
        : {}),
    },
  };
}

/**
 * Stacked bars: one bar per category, one stacked segment per named series (e.g. the parts of a
 * loss for each value of a weight).
 */
export function stackedBarFigure(
  categories: readonly (number | string)[],
  series: Record<string, readonly number[]>,
  title: string,
  xTitle: string,
  yTitle: string,
): Figure {
  for (const [name, y] of Object.entries(series)) {
    if (y.length !== categories.length) {
      throw new RangeError(
        `stackedBarFigure: series "${name}" has ${y.length} values for ${categories.length} categories`,
      );
    }
  }
  return {
    data: Object.entries(series).map(([name, y]) => ({
      x: categories.map(String),
      y: [...y],
      type: "bar",
      name,
    })),
    layout: {
      title: { text: title },
      barmode: "stack",
      xaxis: { title: { text: xTitle }, type: "category" },
      yaxis: { title: { text: yTitle } },
    },
  };
}

/**
 * A study's clock: cumulative training hours against the time each generation finished, one
 * line per series (e.g. per profile). The flat stretches are the gaps between sessions.
 */
export function clockFigure(
  series: Record<string, { at: readonly string[]; hours: readonly number[] }>,
  title = "Training hours over time",
): Figure {
  return {
    data: Object.entries(series).map(([name, s]) => ({
      x: [...s.at],
      y: [...s.hours],
      type: "scatter",
      mode: "lines+markers",
      line: { shape: "hv" },
      name,
    })),
    layout: {
      title: { text: title },
      xaxis: { title: { text: "generation finished (UTC)" }, type: "date" },
      yaxis: { title: { text: "training hours, cumulative" } },
    },
  };
}

/** One point of a forest plot: a claim's relative gain with its 95% interval, and the paper's. */
export interface ForestPoint {
  /** The row's label (claim, target, scale). */
  label: string;
  gain: number;
  lo: number;
  hi: number;
  /** The paper's relative gain (or the minimum effect of interest), marked beside. */
  paper?: number;
}

/**
 * A forest plot: each claim's gain (percent of the reference's MAE) with its 95% interval, one
 * row per claim and target, the paper's effect as a diamond and no effect as a dashed line.
 */
export function forestPlot(points: readonly ForestPoint[], title = "Paired effects"): Figure {
  const y = points.map((p) => p.label);
  const x = points.map((p) => 100 * p.gain);
  return {
    data: [
      {
        type: "scatter",
        mode: "markers",
        name: "ours (95% CI)",
        x,
        y,
        error_x: {
          type: "data",
          symmetric: false,
          array: points.map((p) => 100 * (p.hi - p.gain)),
          arrayminus: points.map((p) => 100 * (p.gain - p.lo)),
        },
      },
      {
        type: "scatter",
        mode: "markers",
        name: "paper (or minimum effect)",
        marker: { symbol: "diamond", size: 10 },
        x: points.map((p) => (p.paper === undefined ? null : 100 * p.paper)),
        y,
      },
    ],
    layout: {
      title,
      xaxis: { title: "gain, % of the reference's MAE (positive: the claim's direction)" },
      yaxis: { automargin: true, autorange: "reversed" },
      shapes: [{
        type: "line",
        x0: 0,
        x1: 0,
        yref: "paper",
        y0: 0,
        y1: 1,
        line: { dash: "dash" },
      }],
      margin: { l: 20 },
    },
  };
}
