#!/usr/bin/env bash
# Opens the classic Jupyter UI on notebooks/ with the project's Deno kernel (jupyter/kernels/deno,
# found through JUPYTER_PATH, so it works from any clone location).
#   bash tools/jupyter.sh [jupyter-notebook options...]
set -eu
cd "$(dirname "$0")/.."
export JUPYTER_PATH="$PWD/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
if ! command -v jupyter-notebook >/dev/null 2>&1; then
  echo "jupyter-notebook is not installed: bash tools/setup-system.sh" >&2
  exit 1
fi
# Containers and CI machines run as root, which Jupyter refuses without --allow-root.
root=()
[ "$(id -u)" = 0 ] && root=(--allow-root)
exec jupyter-notebook --notebook-dir=notebooks "${root[@]}" "$@"
