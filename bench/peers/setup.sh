#!/usr/bin/env bash
# Creates (once) the venv the peer benchmarks run in: NumPy and JAX (CPU) from PyPI.
# The venv lives outside the repository: $SCALESWEEP_PEERS_VENV, default
# ~/.cache/scalesweep/peers-venv.
set -euo pipefail
venv="${SCALESWEEP_PEERS_VENV:-$HOME/.cache/scalesweep/peers-venv}"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import numpy, jax' 2>/dev/null; then
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip >&2
  "$venv/bin/pip" install --quiet 'numpy>=1.26' 'jax[cpu]>=0.4.30' >&2
fi
echo "$venv"
