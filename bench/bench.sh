#!/usr/bin/env bash
# Model speed: `scalesweep bench` (every model against sgemm), then the
# mlp-circle cell against NumPy and JAX (bench/peers/run.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${SCALESWEEP_BIN:-$here/../.build/release/scalesweep}"
taskset -c "${BENCH_CORE:-0}" "$bin" bench "$@"
SCALESWEEP_BIN="$bin" "$here/peers/run.sh"
