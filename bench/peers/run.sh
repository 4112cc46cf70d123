#!/usr/bin/env bash
# ScaleSweep against NumPy and JAX, one thread each, pinned to one core, in one
# invocation: (1) the sgemm yardstick against NumPy's own matmul, with the
# kernel each side ran; (2) mlp-circle training steps against the same cell in
# NumPy and JAX; (3) a whole model-1 cell (N = 512, M = 2048, B = 32, 4000
# steps, gamma 1, set-up and records included) against its reduced form in
# NumPy (model1_peer.py); (4) whole mlp-circle cells (B = 64, depth 3, float32,
# CELL_STEPS steps (default 1000), 10 records on 4096 test points) against the
# same cell in NumPy and JAX (mlp_peer.py --cell); ours is `scalesweep run` of
# a one-cell job, timed by the results file's /cells/seconds.
# CELL_WIDTHS (default "256 1024") sets (4)'s widths.
#   bench/peers/run.sh [WIDTHS] [BATCH] [DEPTH]      (default "64 128 256 512 1024 2048" 64 3)
# OPENBLAS_CORETYPE, if set, applies to both sides (ScaleSweep obeys a user's
# choice; NumPy's OpenBLAS reads it too): unset it to compare each library's
# own choice (ScaleSweep's after its start-up kernel check).
# Environment: SCALESWEEP_BIN (default .build/release/scalesweep), BENCH_CORE
# (default 0), BENCH_SECONDS per measurement (default 1), SCALESWEEP_PEERS_VENV.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${SCALESWEEP_BIN:-$root/.build/release/scalesweep}"
widths="${1:-64 128 256 512 1024 2048}"
batch="${2:-64}"
depth="${3:-3}"
core="${BENCH_CORE:-0}"
seconds="${BENCH_SECONDS:-1}"
venv="$("$here/setup.sh")"
py="$venv/bin/python"

# One thread everywhere: BLAS, OpenMP, Eigen inside XLA.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
export XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
export JAX_PLATFORMS=cpu
pin=(taskset -c "$core")

json_field() { "$py" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

echo "(1) sgemm 1024^3, one core"
"${pin[@]}" "$bin" bench --models mlp-circle --precisions single --widths 64 --seconds 0.05 \
  --no-cells --json | json_field '"scalesweep: best %.1f GFLOP/s (%s); in use %s %.1f" % (d["yardstick"]["best_gflops"], d["yardstick"]["best_kernel"], d["yardstick"]["in_use_kernel"], d["yardstick"]["in_use_gflops"])'
"${pin[@]}" "$py" "$here/numpy_blas.py" | json_field '"numpy %s: %.1f GFLOP/s (kernel %s)" % (d["numpy"], d["sgemm_gflops"], d["kernel"])'

echo "(2) mlp-circle training steps, single precision, steps/s"
printf '%-6s %-6s %12s %12s %12s %9s %9s\n' width batch scalesweep numpy jax "x numpy" "x jax"
for n in $widths; do
  ours=$("${pin[@]}" "$bin" bench --models mlp-circle --precisions single --widths "$n" \
    --batches "$batch" --depth "$depth" --seconds "$seconds" --json |
    "$py" -c 'import json,sys; print(json.load(sys.stdin)["rows"][0]["steps_per_second"])')
  np_rate=$("${pin[@]}" "$py" "$here/mlp_peer.py" numpy --width "$n" --batch "$batch" \
    --depth "$depth" --seconds "$seconds" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["steps_per_second"])')
  jax_rate=$("${pin[@]}" "$py" "$here/mlp_peer.py" jax --width "$n" --batch "$batch" \
    --depth "$depth" --seconds "$seconds" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["steps_per_second"])')
  "$py" - "$n" "$batch" "$ours" "$np_rate" "$jax_rate" <<'PY'
import sys
n, b, ours, numpy_rate, jax_rate = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:])
print(f"{n:<6} {b:<6} {ours:12.1f} {numpy_rate:12.1f} {jax_rate:12.1f} {ours/numpy_rate:9.2f} {ours/jax_rate:9.2f}")
PY
done

echo "(3) whole model-1 cell: N = 512, M = 2048, B = 32, 4000 steps, gamma 1, 10 records"
ours=$("${pin[@]}" "$bin" bench --models projected-features --widths 64 --seconds 0.05 \
  --cell-widths 512 --json | json_field 'd["cells"][0]["steps_per_second"]')
peer=$("${pin[@]}" "$py" "$here/model1_peer.py" --width 512 --features 2048 --batch 32 \
  --steps 4000 | json_field 'd["steps_per_second"]')
"$py" -c "print('scalesweep %.1f steps/s, numpy %.1f steps/s: %.2fx' % ($ours, $peer, $ours / $peer))"

echo "(4) whole mlp-circle cells: B = 64, depth 3, float32, ${CELL_STEPS:-1000} steps, 10 records, steps/s"
printf '%-6s %12s %12s %12s %9s %9s\n' width scalesweep numpy jax "x numpy" "x jax"
cells=$(mktemp -d)
trap 'rm -rf "$cells"' EXIT
for n in ${CELL_WIDTHS:-256 1024}; do
  steps=${CELL_STEPS:-1000}
  cat >"$cells/cell.json" <<EOF
{"name": "peer-cell", "model": {"kind": "mlp-circle", "depth": 3, "test_points": 4096, "modes": 512},
 "task": {"q": 1.0}, "grid": {"width": [$n], "gamma": [1.0], "seeds": 1, "steps": [$steps]},
 "training": {"batch": 64, "lr": 0.5, "record_points": 10}}
EOF
  "${pin[@]}" "$bin" run "$cells/cell.json" --out "$cells/cell.h5" --force --quiet >/dev/null
  ours=$("$bin" inspect "$cells/cell.h5" --json | json_field "$steps / sum(d['seconds_by_rank'].values()) if d['status']['done'] == 1 else float('nan')")
  np_rate=$("${pin[@]}" "$py" "$here/mlp_peer.py" numpy --width "$n" --batch 64 --depth 3 \
    --cell "$steps" --records 10 --test-points 4096 | json_field 'd["steps_per_second"]')
  jax_rate=$("${pin[@]}" "$py" "$here/mlp_peer.py" jax --width "$n" --batch 64 --depth 3 \
    --cell "$steps" --records 10 --test-points 4096 | json_field 'd["steps_per_second"]')
  "$py" -c "print('%-6s %12.1f %12.1f %12.1f %9.2f %9.2f' % ($n, $ours, $np_rate, $jax_rate, $ours / $np_rate, $ours / $jax_rate))"
done
