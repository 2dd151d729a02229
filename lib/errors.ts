/** Errors with a message a user can act on. @module */

/** A configuration value is invalid; `field` names the offending config path. */
export class ConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`config.${field}: ${message}`);
    this.name = "ConfigError";
  }
}

/** Training produced a non-finite loss; the last good checkpoint is kept. */
export class NonFiniteLossError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NonFiniteLossError";
  }
}

/** Input data cannot be used (empty dataset, malformed labels, …). */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataError";
  }
}
