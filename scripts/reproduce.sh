#!/usr/bin/env bash
# Reproduce docs/reproduction.md: run the sweeps, fit them, and print the
# tables of measured exponents beside the theory.
#
#   scripts/reproduce.sh                 model 1, the -small jobs (about 6-8 minutes on 2 cores)
#   scripts/reproduce.sh --full          model 1, the full jobs (about 35-40 minutes on 2 cores)
#   scripts/reproduce.sh --mlp           model 2, the -small jobs (about 15-20 minutes on 2 cores)
#   scripts/reproduce.sh --mlp --full    model 2, the full jobs (about 2.5 hours on 2 cores)
#   scripts/reproduce.sh --fit-only      refit existing out/*.h5 without rerunning
#   scripts/reproduce.sh --summary-only  only rebuild out/reproduction-summary.md from the JSON reports
#   JOBS="model1-hard-small" scripts/reproduce.sh   a subset
#
# Environment: RANKS (default 2), BIN (default .build/release/scalesweep, built
# if missing), BOOTSTRAP (default 1000), PYTHON (default python3, standard
# library only, for the summary tables), MLP_WINDOWS (default "100:T 1000:T"
# with T the job's largest step budget: mlp-* jobs are fitted with frontier
# --time-range over each window, the first one also writing the plot and CSV
# tables; out/<job>-windows.txt records the windows used).
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
MLP=0
FIT_ONLY=0
SUMMARY_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --full) FULL=1 ;;
    --mlp) MLP=1 ;;
    --fit-only) FIT_ONLY=1 ;;
    --summary-only) SUMMARY_ONLY=1 ;;
    -h | --help) sed -n 2,17p "$0"; exit 0 ;;
    *) echo "reproduce.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done
if [[ -z "${JOBS:-}" ]]; then
  if [[ $MLP == 1 ]]; then
    small="mlp-hard-small mlp-easy-small mlp-supereasy-small mlp-data-small"
    large="mlp-hard mlp-easy mlp-supereasy mlp-data"
  else
    small="model1-hard-small model1-easy-small model1-supereasy-small"
    large="model1-hard model1-easy model1-supereasy"
  fi
  if [[ $SUMMARY_ONLY == 1 ]]; then
    JOBS=""
    for job in $small $large; do
      if [[ -f "out/$job-frontier.json" ]]; then JOBS="$JOBS $job"; fi
    done
  elif [[ $FULL == 1 ]]; then
    JOBS=$large
  else
    JOBS=$small
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
  if [[ $job == mlp-* ]]; then
    # No known width floor for the MLP: every slice is fitted over the same
    # fixed windows (frontier --time-range), so lazy and rich compare like for like.
    windows=${MLP_WINDOWS:-}
    if [[ -z $windows ]]; then
      budget=$("$PYTHON" -c 'import json, sys; print(max(json.load(open(sys.argv[1]))["grid"]["steps"]))' "jobs/$job.json")
      windows="100:$budget 1000:$budget"
    fi
    echo "$windows" > "out/$job-windows.txt"
    first=1
    for window in $windows; do
      extra=()
      if [[ $first == 1 ]]; then
        extra=(--svg "docs/img/$job.svg" --csv "out/$job-frontier")
      fi
      mpirun --oversubscribe -np "$RANKS" "$BIN" frontier "out/$job.h5" --compute nt \
        --bootstrap "$BOOTSTRAP" --json --time-range "$window" "${extra[@]}" \
        > "out/$job-frontier-${window/:/-}.json"
      if [[ $first == 1 ]]; then cp "out/$job-frontier-${window/:/-}.json" "out/$job-frontier.json"; fi
      first=0
    done
  else
    mpirun --oversubscribe -np "$RANKS" "$BIN" frontier "out/$job.h5" --compute nt \
      --bootstrap "$BOOTSTRAP" --json --svg "docs/img/$job.svg" --csv "out/$job-frontier" \
      > "out/$job-frontier.json"
  fi
done

SUMMARY=out/reproduction-summary.md
if [[ $MLP == 1 ]]; then SUMMARY=out/reproduction-summary-mlp.md; fi
# shellcheck disable=SC2086 # one job name per word
"$PYTHON" - $JOBS > "$SUMMARY" <<'EOF'
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

def negated(e):
    """A slope as a decay rate chi = -slope, interval flipped."""
    flip = lambda x: None if x is None else -x
    return {"value": flip(e["value"]), "lower": flip(e.get("upper")), "upper": flip(e.get("lower"))}

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
    if not job.startswith("mlp-"):
        continue
    # Time exponents of every width over each fixed window (chi = -slope).
    widths = sorted({f["width"] for s in report["slices"] for f in s["timeFits"]})
    print("| slice | window | " + " | ".join(f"N={w:g}" for w in widths) + " | theory |")
    print("|---|---|" + "---|" * (len(widths) + 1))
    for window in open(f"out/{job}-windows.txt").read().split():
        with open(f"out/{job}-frontier-{window.replace(':', '-')}.json") as f:
            windowed = json.load(f)
        for s in windowed["slices"]:
            data = "online" if s["data"] is None else f"P={s['data']:g}"
            fits = {f["width"]: f["exponent"] for f in s["timeFits"]}
            row = [ci(negated(fits[w])) if w in fits else "-" for w in widths]
            t = s["theory"] or {}
            print(f"| {s['regime']} gamma={s['gamma']:g} {data} | {window.replace(':', '-')} | "
                  + " | ".join(row) + f" | {q(t.get('timeExponent'))} |")
    print()
EOF
cat "$SUMMARY"
