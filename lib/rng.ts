/**
 * A small seeded random number generator (sfc32) whose whole state is four integers, so a
 * checkpoint can store it and a resumed run draws the same numbers.
 *
 * @module
 */

/** The serialisable state of an {@link Rng}. */
export type RngState = [number, number, number, number];

/** A seeded generator of uniform numbers in [0, 1). */
export interface Rng {
  /** Next uniform number in [0, 1). */
  next(): number;
  /** The current state (a copy). */
  state(): RngState;
}

/** Creates a generator from a state (see {@link seedState}). */
export function rngFromState(s: RngState): Rng {
  let [a, b, c, d] = s;
  return {
    next() {
      a >>>= 0;
      b >>>= 0;
      c >>>= 0;
      d >>>= 0;
      const t = (a + b | 0) + d | 0;
      d = d + 1 | 0;
      a = b ^ b >>> 9;
      b = c + (c << 3) | 0;
      c = c << 21 | c >>> 11;
      c = c + t | 0;
      return (t >>> 0) / 4294967296;
    },
    state: () => [a >>> 0, b >>> 0, c >>> 0, d >>> 0],
  };
}

/** Hashes any number of integers into one 32-bit seed (splitmix-style mixing). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** The initial state for a seed (the generator is warmed up so nearby seeds diverge). */
export function seedState(seed: number): RngState {
  const rng = rngFromState([mixSeed(seed, 1), mixSeed(seed, 2), mixSeed(seed, 3), 1]);
  for (let i = 0; i < 15; i++) rng.next();
  return rng.state();
}

/** A generator for `seed`. */
export function createRng(seed: number): Rng {
  return rngFromState(seedState(seed));
}

/** Fisher–Yates shuffle of `0 … n−1` using `rng`. */
export function permutation(n: number, rng: Rng): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}
