#!/usr/bin/env bash
# Per-cell overhead of the command runner: spawn, reading and parsing the
# program's JSON line, recording the cell in the results file. The program is
# printf (one progress line, exits at once), so a cell's cost is all overhead.
# Overhead = (wall time of a 500-cell run - a 1-cell run) / 499, one rank.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${SCALESWEEP_BIN:-.build/release/scalesweep}
mkdir -p out
one=out/command-overhead-1.json
sed 's/"seeds": 500/"seeds": 1/' bench/command-overhead-job.json >"$one"
wall() {
  local start end
  start=$(date +%s%N)
  "$bin" run "$1" --out "$2" --force --quiet >/dev/null
  end=$(date +%s%N)
  echo $(((end - start) / 1000))
}
small=$(wall "$one" out/command-overhead-1.h5)
large=$(wall bench/command-overhead-job.json out/command-overhead.h5)
summary=$("$bin" inspect out/command-overhead.h5)
grep -q "500 done" <<<"$summary" || { echo "not every cell done: $summary" >&2; exit 1; }
awk -v s="$small" -v l="$large" 'BEGIN {
  printf "command runner: 500 cells %.2fs, 1 cell %.2fs: %.2f ms per cell (goal < 20 ms)\n",
    l / 1e6, s / 1e6, (l - s) / 499 / 1000 }'
