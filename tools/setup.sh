#!/usr/bin/env bash
# All set-up on a fresh machine with Node.js: npm packages (Deno itself, tfjs, sharp, plotly,
# face-api), then the Debian packages (Jupyter, Chromium, oneDNN) when missing. Idempotent; each
# Debian step is optional: what it cannot install degrades into a fallback that says so
# (pure-wasm kernels) or a test that skips with a printed reason.
set -u
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/deno ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || exit 1
fi
bash tools/setup-system.sh || echo "setup: some Debian packages are missing (see above)" >&2
bash tools/setup-native.sh >/dev/null 2>&1 || echo "setup: oneDNN not installed; training uses the pure-wasm kernels" >&2
exit 0
