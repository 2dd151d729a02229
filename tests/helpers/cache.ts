/**
 * A fake image preparer for decoded-cache tests: image i (named `…i.jpg`) is `per` bytes of the
 * value i·10, and image 4 is "broken" (a corrupt-image skip). It records the paths it was called on.
 *
 * @module
 */
import type { Prepared } from "../../lib/data/cache.ts";
import type { AgeSample } from "../../lib/data/types.ts";

/** The preparer and the paths it has been called on, in order. */
export function fakePreparer(
  per: number,
): { fn: (s: AgeSample) => Promise<Prepared>; calls: string[] } {
  const calls: string[] = [];
  const fn = (s: AgeSample): Promise<Prepared> => {
    calls.push(s.path);
    const i = Number(s.path.match(/(\d+)\.jpg/)![1]);
    if (i === 4) return Promise.resolve({ ok: false, reason: "corrupt-image", detail: "test" });
    return Promise.resolve({ ok: true, rgb: new Uint8Array(per).fill(i * 10) });
  };
  return { fn, calls };
}
