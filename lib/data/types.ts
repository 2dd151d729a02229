/**
 * The seams of the data path: one record per labelled image (what every dataset adapter yields)
 * and the batch source the trainer pulls from.
 *
 * @module
 */

/** One labelled image, as every dataset adapter yields it. */
export interface AgeSample {
  /** Image file path (absolute, or relative to the dataset root given in config). */
  path: string;
  /** Integer age in years (the label we train on). */
  age: number;
  /** Apparent-age mean of the votes (ChaLearn LAP 2015). */
  mean?: number;
  /** Apparent-age standard deviation of the votes (ChaLearn LAP 2015). */
  std?: number;
  /** Subject identity, where the dataset has one (Morph II). */
  subject?: string;
  /** The dataset's official split, where it has one. */
  split?: "train" | "val" | "test";
}

/** One batch of images, NHWC RGB with values 0–255, and their labels. */
export interface Batch {
  /** Pixels, length `ages.length × size × size × 3`, row-major NHWC, RGB, 0–255. */
  x: Uint8Array;
  /** Integer ages, one per image. */
  ages: Int32Array;
  /** Index of each image in its source (0 … size−1): keys the ancestor store. */
  indices: Int32Array;
}

/** Options for one pass over a {@link SampleSource}. */
export interface BatchOptions {
  batchSize: number;
  /** Shuffle the order (seeded by `seed` and `epoch`). */
  shuffle: boolean;
  /** Apply the training augmentation (random resized crop, horizontal flip). */
  augment: boolean;
  /** Seed of this pass: the same seed and epoch give the same batches. */
  seed: number;
  /** Epoch number (mixed into the seed). */
  epoch: number;
  /** Skip this many batches first (resume inside an epoch). Default 0. */
  skipBatches?: number;
}

/**
 * What the trainer pulls batches from: the synthetic set, UTKFace and the paper's datasets all
 * arrive through it. Every image has the same square size.
 */
export interface SampleSource {
  /** A short name for logs and reports. */
  readonly name: string;
  /** Number of images. */
  readonly length: number;
  /** Side of the square images, in pixels. */
  readonly imageSize: number;
  /** Integer age of every image, in index order. */
  readonly ages: Int32Array;
  /** Apparent-age mean and std per image where the dataset has them (ChaLearn), else undefined. */
  readonly apparent?: { mean: Float32Array; std: Float32Array };
  /**
   * What the images are, independent of where they are stored (file names, labels, file sizes,
   * crop settings): a run records it and is not reused for other data. Absent for in-memory
   * sources, which are identified by their name and ages.
   */
  readonly fingerprint?: string;
  /** The image file of every image, in index order, where the source knows it (cached datasets). */
  readonly paths?: readonly string[];
  /** One pass over the images in batches (the last one may be smaller). */
  batches(options: BatchOptions): AsyncIterable<Batch>;
}

/** A point in pixels. */
export interface Point {
  x: number;
  y: number;
}

/** The five MTCNN-style points: eye centres, nose tip, mouth corners (image left first). */
export type FivePoints = [Point, Point, Point, Point, Point];

/** A decoded RGB image: `width × height × 3` bytes, row-major. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}
