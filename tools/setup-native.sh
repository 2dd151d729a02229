#!/usr/bin/env bash
# Installs the native libraries the wasm backend's fast kernels call through Deno FFI
# (lib/backend/onednn.ts): oneDNN 2.x from Debian. Without them the library falls back to pure
# wasm kernels and says so. Optional: python3-torch + OpenBLAS for the bench's PyTorch reference
# (pass --torch). Needs root (or sudo) and the Debian archive.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
pkgs=(libdnnl2)
if [ "${1:-}" = "--torch" ]; then pkgs+=(python3-torch libopenblas0-pthread); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "native libraries present: ${pkgs[*]}"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
echo "installed: ${missing[*]}"
