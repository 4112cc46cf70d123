#!/usr/bin/env bash
# Creates .venv with the Python readers the tests check results files with
# (h5py, xarray through h5netcdf). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x .venv/bin/python ] && .venv/bin/python -c "import h5py, xarray, h5netcdf, numpy" 2>/dev/null; then
  exit 0
fi
echo "creating .venv with h5py, xarray, h5netcdf"
python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check h5py numpy xarray h5netcdf
