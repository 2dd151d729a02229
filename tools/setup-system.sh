#!/usr/bin/env bash
# Installs the Debian packages the project needs outside npm, when missing; idempotent and quiet
# when everything is already there. CI runs it as root and ignores its exit status: whatever cannot
# be installed shows up later as a test that skips with a printed reason.
#
#   jupyter-nbconvert, jupyter-client, python3-nbclient  execute notebooks, export HTML (report)
#   python3-ipykernel                                    jupyter-client's kernel-spec machinery
#   jupyter-notebook                                     the classic UI (`jupyter notebook`)
#   chromium                                             headless check that report plots draw
#   slurm-wlm, munge                                     a one-node Slurm cluster for the `study --slurm` test
#                                                        (tests/tools/study_slurm_test.ts starts its own
#                                                        daemons in a temporary folder)
#
# Usage: bash tools/setup-system.sh            (as root, or with sudo available)
#        CEN_SKIP_SYSTEM_SETUP=1 bash tools/...  does nothing
set -u
[ "${CEN_SKIP_SYSTEM_SETUP:-0}" = "1" ] && exit 0

packages=(jupyter-nbconvert jupyter-client python3-nbclient python3-ipykernel jupyter-notebook
  chromium slurm-wlm munge)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: no apt-get; missing: ${missing[*]} (notebook/report tests will skip)" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "setup-system: not root and no sudo; missing: ${missing[*]} (notebook/report tests will skip)" >&2
    exit 1
  fi
fi

echo "setup-system: installing ${missing[*]}" >&2
log=$(mktemp)
export DEBIAN_FRONTEND=noninteractive
# Other processes (another apt run) may hold the dpkg lock: wait for it rather than fail.
apt=(apt-get -o DPkg::Lock::Timeout=600)
ok=1
if ! "${sudo[@]}" "${apt[@]}" install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
  # The package lists may be stale or absent on a fresh machine: refresh once and retry.
  if ! { "${sudo[@]}" "${apt[@]}" update -q >>"$log" 2>&1 &&
    "${sudo[@]}" "${apt[@]}" install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1; }; then
    ok=0
  fi
fi
if [ "$ok" = "0" ]; then
  # Install what can be installed one by one, so that one unavailable package costs only itself.
  for p in "${missing[@]}"; do
    "${sudo[@]}" "${apt[@]}" install -y -q --no-install-recommends "$p" >>"$log" 2>&1 ||
      echo "setup-system: could not install $p (its tests will skip)" >&2
  done
  tail -n 20 "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"
echo "setup-system: installed ${missing[*]}" >&2
