/**
 * The off-the-shelf baseline: face-api's age model, on any faces and on UTKFace's test split.
 *
 * @example
 * ```ts
 * import { faceApiScores } from "./mod.ts";
 * // face-api's MAE on the UTKFace test split (needs CEN_UTKFACE_DIR; cached in results/baselines)
 * console.log(typeof faceApiScores);
 * ```
 *
 * @module
 */
export * from "./faceapi_age.ts";
export * from "./faceapi_utkface.ts";
