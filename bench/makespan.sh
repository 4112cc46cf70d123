#!/usr/bin/env bash
# Load balance on 2 ranks: a grid whose cells differ 100x (and more) in cost.
# Prints the measured makespan next to the ideal max(total work / 2, largest
# cell), both from the same run: the cells' own recorded training seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
bin=${SCALESWEEP_BIN:-.build/release/scalesweep}
python=${SCALESWEEP_PYTHON:-.venv/bin/python}
ranks=${RANKS:-2}
mkdir -p out
out=out/makespan-bench.h5
start=$(date +%s.%N)
mpirun --oversubscribe -np "$ranks" "$bin" run bench/makespan-job.json --out "$out" --force --quiet >/dev/null
end=$(date +%s.%N)
"$python" - "$out" "$start" "$end" "$ranks" <<'PY'
import sys, h5py, numpy as np
path, start, end, ranks = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
with h5py.File(path, "r") as f:
    seconds = f["cells/seconds"][:]
    rank = f["cells/rank"][:]
    assert (f["cells/status"][:] == 1).all()
total, largest = seconds.sum(), seconds.max()
ideal = max(total / ranks, largest)
busiest = max(seconds[rank == r].sum() for r in range(ranks))
wall = end - start
print(f"cells {len(seconds)}, cost ratio largest/smallest {largest / seconds.min():.0f}x")
print(f"total work {total:.2f}s, largest cell {largest:.2f}s, ideal makespan {ideal:.2f}s on {ranks} ranks")
print(f"busiest rank trained {busiest:.2f}s: ratio to ideal {busiest / ideal:.3f}")
print(f"wall time of the whole mpirun (start-up, file creation included) {wall:.2f}s: ratio {wall / ideal:.3f}")
PY
