#!/usr/bin/env bash
# Installs the Debian packages ScaleSweep builds and tests with, if missing.
# Idempotent and non-interactive; prints nothing when all are present.
set -euo pipefail
packages=(libopenmpi-dev openmpi-bin libhdf5-dev hdf5-tools libopenblas-dev pkg-config gcc librsvg2-bin shellcheck environment-modules)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
