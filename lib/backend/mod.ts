/**
 * The tfjs backend and the kernels that make training fast: choosing the backend (tfjs-node-gpu,
 * tfjs-node, wasm, cpu) and the precision of training (`select.ts`), the training kernels
 * registered on `wasm` (`register.ts`: convolutions, batch norm, pooling and matmuls through
 * oneDNN by FFI where Debian's `libdnnl2` is installed, in float32 or bfloat16, else pure wasm),
 * and the step profile that says where a training step's time goes (`profile.ts`).
 *
 * @example
 * ```ts
 * import { initBackend } from "./mod.ts";
 * const name = await initBackend(); // logs which backend and kernels it chose, and why
 * console.log(name);
 * ```
 *
 * @module
 */
export * from "./select.ts";
export * from "./profile.ts";
