#!/usr/bin/env bash
# The coordinator under load: the load-balance grid (32 cells, ~1000x cost
# spread, bench/load-balance-job.json) and a grid of 800 tiny cells
# (bench/tiny-cells-job.json) on RANKS ranks (default 2). For each: the
# sweep's makespan against the bound max(total cell seconds / ranks, largest
# cell) from the cells' own recorded seconds, and each rank's hand-out latency
# (request sent -> cell received, SCALESWEEP_TRACE_HANDOUTS). Then the
# 1024-rank simulation (swift test --filter SimulationTests prints it).
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
bin=${SCALESWEEP_BIN:-.build/release/scalesweep}
python=${SCALESWEEP_PYTHON:-.venv/bin/python}
ranks=${RANKS:-2}
mkdir -p out
for job in load-balance tiny-cells; do
  out=out/coordinator-$job.h5
  SCALESWEEP_TRACE_HANDOUTS=1 mpirun --oversubscribe -np "$ranks" "$bin" run "bench/$job-job.json" \
    --out "$out" --force --quiet >"$out.log" 2>&1
  "$python" - "$out" "$ranks" "$job" <<'PY'
import re, sys, h5py
path, ranks, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
log = open(path + ".log").read()
makespan = float(re.search(r"cells run in ([0-9.]+)s", log).group(1))
with h5py.File(path, "r") as f:
    seconds = f["cells/seconds"][:]
    assert (f["cells/status"][:] == 1).all()
bound = max(seconds.sum() / ranks, seconds.max())
print(f"{name}: {len(seconds)} cells, spread {seconds.max() / seconds.min():.0f}x, "
      f"cell seconds {seconds.sum():.2f}, largest {seconds.max():.2f}")
print(f"  makespan {makespan:.2f}s, bound {bound:.2f}s: ratio {makespan / bound:.3f}")
for line in re.findall(r"hand-outs: .*", log):
    print("  " + line)
PY
done
