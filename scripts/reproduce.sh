#!/usr/bin/env bash
# Reproduce docs/reproduction.md: run the model-1 sweeps, fit them, and print
# the tables of measured exponents beside the theory.
#
#   scripts/reproduce.sh                 the -small jobs (about 6-8 minutes on 2 cores)
#   scripts/reproduce.sh --full          the full jobs (about 35-40 minutes on 2 cores)
#   scripts/reproduce.sh --fit-only      refit existing out/*.h5 without rerunning
#   scripts/reproduce.sh --summary-only  only rebuild out/reproduction-summary.md from the JSON reports
#   JOBS="model1-hard-small" scripts/reproduce.sh   a subset
#
# Environment: RANKS (default 2), BIN (default .build/release/scalesweep, built
# if missing), BOOTSTRAP (default 1000), PYTHON (default python3, standard
# library only, for the summary tables).
# Outputs: out/<job>.h5, out/<job>-frontier.json, out/<job>-frontier/*.csv,
# docs/img/<job>.svg, out/<job>.time (wall seconds of the run) and
# out/reproduction-summary.md (the tables of docs/reproduction.md).
set -euo pipefail
cd "$(dirname "$0")/.."

RANKS=${RANKS:-2}
BOOTSTRAP=${BOOTSTRAP:-1000}
PYTHON=${PYTHON:-python3}
BIN=${BIN:-.build/release/scalesweep}
FULL=0
FIT_ONLY=0
SUMMARY_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --full) FULL=1 ;;
    --fit-only) FIT_ONLY=1 ;;
    --summary-only) SUMMARY_ONLY=1 ;;
    -h | --help) sed -n 2,17p "$0"; exit 0 ;;
    *) echo "reproduce.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
if [[ -z "${JOBS:-}" ]]; then
  if [[ $SUMMARY_ONLY == 1 ]]; then
    JOBS="model1-hard-small model1-easy-small model1-supereasy-small model1-hard model1-easy model1-supereasy"
  elif [[ $FULL == 1 ]]; then
    JOBS="model1-hard model1-easy model1-supereasy"
  else
    JOBS="model1-hard-small model1-easy-small model1-supereasy-small"
  fi
fi
if [[ $SUMMARY_ONLY == 0 && ! -x "$BIN" ]]; then swift build -c release; fi
if [[ $(id -u) == 0 ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
mkdir -p out docs/img

for job in $JOBS; do
  if [[ $SUMMARY_ONLY == 1 ]]; then continue; fi
  if [[ $FIT_ONLY == 0 ]]; then
    "$BIN" plan "jobs/$job.json" --ranks "$RANKS"
    start=$(date +%s.%N)
    mpirun --oversubscribe -np "$RANKS" "$BIN" run "jobs/$job.json" --out "out/$job.h5" --force --quiet
    end=$(date +%s.%N)
    echo "$start $end $RANKS" | awk '{printf "%.0f %d\n", $2 - $1, $3}' > "out/$job.time"
    echo "$job: $(cut -d' ' -f1 "out/$job.time") s on $RANKS ranks"
  fi
  # The JSON report is the record (the same command without --json prints it as a table).
  mpirun --oversubscribe -np "$RANKS" "$BIN" frontier "out/$job.h5" --compute nt \
    --bootstrap "$BOOTSTRAP" --json --svg "docs/img/$job.svg" --csv "out/$job-frontier" \
    > "out/$job-frontier.json"
done

# shellcheck disable=SC2086 # one job name per word
"$PYTHON" - $JOBS > out/reproduction-summary.md <<'EOF'
"""Tables of docs/reproduction.md from out/<job>-frontier.json."""
import json, os, sys

def q(x):
    return "-" if x is None else f"{x:.3f}"

def ci(quantity):
    if quantity is None or quantity.get("value") is None:
        return "-"
    lo, hi = quantity.get("lower"), quantity.get("upper")
    if lo is None or hi is None:
        return q(quantity["value"])
    return f"{q(quantity['value'])} [{q(lo)}, {q(hi)}]"

for job in sys.argv[1:]:
    with open(f"out/{job}-frontier.json") as f:
        report = json.load(f)
    runtime = "not run here"
    if os.path.exists(f"out/{job}.time"):
        seconds, ranks = open(f"out/{job}.time").read().split()
        runtime = f"{seconds} s on {ranks} ranks"
    print(f"### {job} ({runtime}; bootstrap {report['bootstrapReplicates']} replicates, 95% intervals)\n")
    print("| slice | widest N | L~t^x (window) | theory | L_inf~N^x | theory | L~N^x at t_max |"
          " L*~C^x env / iso / param | N*~C^x env / iso / param | t*~C^x env / iso / param | theory L*, N*, t* |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for s in report["slices"]:
        data = "online" if s["data"] is None else f"P={s['data']:g}"
        t = s["theory"] or {}
        tf = s["timeFits"][-1] if s["timeFits"] else None
        time = "-" if tf is None else f"{ci(tf['exponent'])} ({tf['window'][0]:g}-{tf['window'][1]:g})"
        floor = s.get("widthFloorFit")
        width = s.get("widthFit")
        co = t.get("computeOptimal")
        def three(key):
            parts = []
            for name in ("envelope", "isoflop"):
                block = s.get(name)
                parts.append(ci(block[key]["exponent"]) if block else "-")
            p = s.get("parametric")
            pk = {"loss": "lossExponent", "width": "widthExponent", "time": "timeExponent"}[key]
            parts.append(ci(p[pk]) if p else "-")
            return " / ".join(parts)
        cells = [
            f"{s['regime']} gamma={s['gamma']:g} {data}",
            f"{tf['width']:g}" if tf else "-",
            time,
            q(-t["timeExponent"]) if t else "-",
            ci(floor["exponent"]) if floor else "-",
            q(-t["widthExponent"]) if t else "-",
            ci(width["exponent"]) if width else "-",
            three("loss"), three("width"), three("time"),
            f"{q(-co['loss'])}, {q(co['width'])}, {q(co['time'])}" if co else "-",
        ]
        print("| " + " | ".join(cells) + " |")
    for d in report.get("dataFits", []):
        print(f"\nL vs P (gamma={d['gamma']:g}, N={d['width']:g}, t={d['time']:g}): "
              f"{ci(d['fit']['exponent'])}, theory {q(d['predicted'])}")
    print()
EOF
cat out/reproduction-summary.md
