/**
 * Errors with a message a user can act on. Each is a {@link UserError}: a command prints its
 * message as one line and exits with status 2 (see `runCli` in lib/cli.ts); any other error is a
 * bug and is shown with its stack.
 *
 * @module
 */

/** An error the user can fix from its message alone (no stack trace needed). */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

/** A configuration value is invalid; `field` names the offending config path. */
export class ConfigError extends UserError {
  constructor(readonly field: string, message: string) {
    super(`config.${field}: ${message}`);
    this.name = "ConfigError";
  }
}

/** Training produced a non-finite loss; the last good checkpoint is kept. */
export class NonFiniteLossError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "NonFiniteLossError";
  }
}

/** Input data cannot be used (empty dataset, malformed labels, …). */
export class DataError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "DataError";
  }
}

/** The command line is wrong: an unknown option, a missing or malformed value. */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Something the user named (a file, a folder, a run, a notebook) does not exist. */
export class NotFoundError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}

/**
 * A file the program wrote earlier (a model, a checkpoint, a cache entry, a lock) is damaged: cut
 * short, emptied, garbage, or a folder in its place. The message names the file, what is wrong
 * with it and the way out; `path` and `problem` let a caller recover instead (rebuild, retrain).
 */
export class DamagedFileError extends DataError {
  /** `path`: the file as shown to the user; `problem`: what is wrong, in words. */
  constructor(readonly path: string, readonly problem: string, fix: string) {
    super(`${path}: ${problem}${fix ? `: ${fix}` : ""}`);
    this.name = "DamagedFileError";
  }
}

/** A file could not be written (disk full, a file where a folder should be, …); the old one is kept. */
export class WriteError extends UserError {
  constructor(readonly path: string, message: string) {
    super(message);
    this.name = "WriteError";
  }
}
