#!/usr/bin/env bash
# Long kill -9 torture (make test runs a 10-kill version): start a sweep under
# mpirun, kill -9 the whole run or one rank at a random moment, check that the
# file is readable, resume; repeat N times, then finish and compare with an
# uninterrupted run bit for bit (/loss/*, /cells/* except seconds, rank and
# the checksum over them). One attempt also checks that other writers are refused.
#   scripts/kill-torture.sh [ATTEMPTS] [JOB]
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
attempts=${1:-50}
job=${2:-Tests/IntegrationTests/Fixtures/resumable.json}
bin=${SCALESWEEP_BIN:-.build/release/scalesweep}
python=${SCALESWEEP_PYTHON:-.venv/bin/python}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin" run "$job" --out "$dir/reference.h5" --quiet >/dev/null
out="$dir/tortured.h5"
survived=0
for ((i = 1; i <= attempts; i++)); do
  mpirun --oversubscribe -np 2 "$bin" run "$job" --out "$out" --resume --quiet >/dev/null 2>&1 &
  launcher=$!
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.3 + r / 32767 * 1.5 }')"
  ranks=$(pgrep -P "$launcher" || true)
  # Concurrent-writer round: while it writes, --force (another job), --resume
  # and a fresh run on the same file are each refused as "in use".
  if ((i == 2)); then
    for _ in $(seq 100); do [ -e "$out.lock" ] && break; sleep 0.05; done
  fi
  if ((i == 2)) && [ -e "$out.lock" ] && kill -0 "$launcher" 2>/dev/null; then
    for extra in "--force" "--resume" ""; do
      other=$job
      [ "$extra" = --force ] && other=Tests/IntegrationTests/Fixtures/tiny.json
      # shellcheck disable=SC2086 # $extra is one word or none
      if "$bin" run "$other" --out "$out" $extra --quiet >/dev/null 2>"$dir/refused"; then
        echo "attempt $i: a second writer ($extra) was not refused"; exit 1
      fi
      grep -q "in use" "$dir/refused" || { echo "attempt $i: $(cat "$dir/refused")"; exit 1; }
    done
    echo "attempt $i: --force, --resume and a fresh run on the live file were refused"
  fi
  if ((i % 2)) || [ -z "$ranks" ]; then
    # shellcheck disable=SC2086 # one pid per word
    kill -9 "$launcher" $ranks 2>/dev/null || true
  else
    kill -9 "$(echo "$ranks" | shuf -n 1)" 2>/dev/null || true
  fi
  wait "$launcher" 2>/dev/null || true
  for pid in $ranks; do while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; done
  if [ -e "$out" ] && ! "$bin" inspect "$out" >/dev/null; then
    echo "attempt $i: file unreadable"; exit 1
  fi
  survived=$((survived + 1))
done
mpirun --oversubscribe -np 2 "$bin" run "$job" --out "$out" --resume --quiet >/dev/null
"$python" - "$dir/reference.h5" "$out" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for name in ["loss/test", "loss/train"] + [f"cells/{k}" for k in a["cells"] if k not in ("seconds", "rank", "checksum")]:
    x, y = a[name][:], b[name][:]
    same = np.array_equal(x.view(np.uint8), y.view(np.uint8)) if x.dtype.kind == "f" else np.array_equal(x, y)
    assert same, f"{name} differs"
print("final file identical to the uninterrupted run")
PY
echo "kills survived: $survived / $attempts"
