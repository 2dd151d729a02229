/**
 * The paper's claims as verdicts: the {@link Verdict} every table's module gives for its claims
 * (the paper's numbers, ours as mean ± std over seeds, whether it holds, whether the deciding
 * difference is larger than the spread over seeds, and what it depends on where it fails), the
 * helpers they share, and the claims' table as `07-summary` shows it.
 *
 * @module
 */
import type { TableRow } from "../report/table.ts";
import type { MeanStd } from "./stats.ts";

/** One claim checked on our runs. */
export interface Verdict {
  claim: string;
  /** The paper's numbers behind the claim. */
  paper: string;
  /** Ours, mean ± std over seeds. */
  ours: string;
  holds: boolean;
  /** False where the difference that decides the verdict is within the spread over seeds. */
  clear: boolean;
  /** The comparison made; where the claim fails, what it depends on and what would test it further. */
  reading: string;
  /** Set where the claim rests on fewer seeds than the study plans: the verdict is provisional. */
  seeds?: { have: number; want: number };
}

/** `v` marked provisional where it rests on `have` of the `want` planned seeds. */
export function provisional(v: Verdict, have: number, want: number): Verdict {
  return have < want ? { ...v, seeds: { have, want } } : v;
}

/** A number of years to three decimals. */
export const f3 = (x: number) => x.toFixed(3);

/** An MAE difference `ours − ref` in words: "0.058 years worse" / "0.077 years better". */
export const gap = (ours: number, ref: number) =>
  `${f3(Math.abs(ours - ref))} years ${ours <= ref ? "better" : "worse"}`;

/**
 * True when a and b differ by more than the larger of their spreads over seeds, each side over two
 * seeds or more or `exact` (one fixed model scored once: no seed moves it). One seed of a seeded
 * run has no spread to judge by.
 */
export const apart = (a: MeanStd & { exact?: boolean }, b: MeanStd & { exact?: boolean }) =>
  (a.n > 1 || a.exact === true) && (b.n > 1 || b.exact === true) &&
  Math.abs(a.mean - b.mean) > Math.max(a.std, b.std);

/** The row with the lowest mean. */
export const best = <T extends { mean: number }>(rows: readonly T[]) =>
  rows.reduce((a, b) => (b.mean < a.mean ? b : a));

/**
 * "holds" / "does not hold", marked where the deciding difference is within the seeds' spread and
 * where fewer seeds than planned are in.
 */
export function verdictLabel(v: Pick<Verdict, "holds" | "clear" | "seeds">): string {
  return (v.holds ? "holds" : "does not hold") +
    (v.clear ? "" : " (within the spread over seeds)") +
    (v.seeds ? `; provisional: ${v.seeds.have} of ${v.seeds.want} seeds` : "");
}

/** The claims' table: each claim, the paper's numbers, ours over seeds, the verdict and its reading. */
export function verdictDisplay(verdicts: readonly Verdict[]): TableRow[] {
  return verdicts.map((v) => ({
    claim: v.claim,
    paper: v.paper,
    ours: v.ours,
    verdict: verdictLabel(v),
    "reading (and, where it fails, what it depends on)": v.reading,
  }));
}
