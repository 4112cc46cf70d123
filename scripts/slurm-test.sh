#!/usr/bin/env bash
# End-to-end test of slurm/sweep.sbatch and slurm/frontier.sbatch against a
# real Slurm: a private single-node cluster (slurmctld + slurmd, auth/none)
# in a temporary directory, on free loopback ports, stopped again at the end.
#
#   scripts/slurm-test.sh          (as root; installs Debian's Slurm if missing)
#
# It runs a small sweep with both launchers (srun --mpi=pmix and mpirun),
# chains frontier.sbatch with --dependency=afterok, and preempts two runs
# mid-sweep: once with `scontrol requeue` (Slurm's SIGTERM path) and once with
# SIGUSR1 to the batch shell (the time-limit warning; the job requeues itself).
# Every results file must be complete and equal, in /steps, /loss/* and
# /cells/* except seconds, rank and checksum (over them), to the uninterrupted run.
#
# Everything runs as a cluster user would: `make install` into the temporary
# directory (the statically linked binary), jobs submitted with the installed
# scripts and no SCALESWEEP_BIN; a SCALESWEEP_SETUP file `module load`s the
# installed modulefile and writes a line to the job log, on every run of a
# requeued job too. A printed script finds the installed binary that printed
# it without PATH.
#
# Variables: SCALESWEEP_PYTHON (default .venv/bin/python, needs h5py),
# SCALESWEEP_SLURM_KEEP=1 keeps the temporary directory.
# Non-interactive and idempotent; about 3.5 minutes here (on a shared 2-core machine).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${SCALESWEEP_PYTHON:-$root/.venv/bin/python}
started=$SECONDS

say() { printf '[slurm-test %3ds] %s\n' "$((SECONDS - started))" "$*"; }
fail() {
  say "FAIL: $*" >&2
  exit 1
}

[[ $(id -u) -eq 0 ]] || fail "needs root (it installs packages and runs slurmctld/slurmd as root)"
"$python" -c 'import h5py, numpy' 2>/dev/null || fail "$python lacks h5py (make python)"

# --- Slurm packages ----------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null; then
  say "installing Debian's Slurm packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurm-wlm slurmctld slurmd slurm-client >/dev/null
fi
module_init=/usr/share/modules/init/bash
if [[ ! -f $module_init ]]; then
  say "installing Debian's environment-modules"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends environment-modules >/dev/null
fi

# --- a private cluster in a temporary directory -----------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/scalesweep-slurm.XXXXXX")
daemon_pids=()
jobs_submitted=()
cleanup() {
  local status=$?
  set +e
  if ((${#jobs_submitted[@]})) && [[ -n ${SLURM_CONF:-} ]]; then
    scancel "${jobs_submitted[@]}" 2>/dev/null
    for _ in $(seq 40); do
      [[ -z $(squeue -h -j "$(IFS=,; echo "${jobs_submitted[*]}")" 2>/dev/null) ]] && break
      sleep 0.25
    done
  fi
  # Only the daemons this script started, by PID.
  for pid in "${daemon_pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${daemon_pids[@]}"; do
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null
  done
  if ((status != 0)); then
    for log in "$tmp"/slurmctld.log "$tmp"/slurmd.log "$tmp"/*.out; do
      [[ -f $log ]] && { echo "--- tail of $log"; tail -n 25 "$log"; }
    done >&2
    say "logs kept in $tmp" >&2
  elif [[ ${SCALESWEEP_SLURM_KEEP:-0} == 1 ]]; then
    say "kept $tmp"
  else
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
host=$(hostname -s)
read -r cpus memory < <(slurmd -C | awk '/^NodeName/ {
  for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } print v["CPUs"], v["RealMemory"] }')
mkdir -p "$tmp/state" "$tmp/spool" "$tmp/run"
cat >"$tmp/slurm.conf" <<EOF
ClusterName=scalesweeptest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
SlurmdUser=root
AuthType=auth/none
CredType=cred/none
MpiDefault=pmix
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
MailProg=/bin/true
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
DependencyParameters=kill_invalid_depend
MinJobAge=3600
ReturnToService=2
KillWait=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$tmp/slurm.conf
# An enclosing allocation's variables would confuse sbatch and srun.
while read -r name; do unset "$name"; done < <(env | sed -n 's/^\(SLURM_[A-Z_]*\)=.*/\1/p' | grep -v '^SLURM_CONF$')
export SLURM_CONF=$tmp/slurm.conf

slurmctld -D -c -f "$SLURM_CONF" >"$tmp/slurmctld.out" 2>&1 &
daemon_pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$tmp/slurmd.out" 2>&1 &
daemon_pids+=($!)
for _ in $(seq 120); do
  [[ $(sinfo -h -N -o %t 2>/dev/null) == idle ]] && break
  sleep 0.25
done
[[ $(sinfo -h -N -o %t 2>/dev/null) == idle ]] || fail "node not idle after 30 s"
say "cluster up: node $host idle ($cpus CPUs), conf $SLURM_CONF"

# --- ScaleSweep installed as on a cluster ---------------------------------------
prefix=$tmp/prefix
make -s -C "$root" install PREFIX="$prefix" >"$tmp/install.log" 2>&1 || fail "make install failed (see $tmp/install.log)"
bin=$prefix/bin/scalesweep
scripts=$prefix/share/scalesweep/slurm
# The site setup every job sources: the module, and a line in the job log.
cat >"$tmp/setup.sh" <<EOF
source $module_init
module use $prefix/share/modulefiles
module load scalesweep
echo "site setup: restart \${SLURM_RESTART_COUNT:-0}, \$(scalesweep --version) from \$(command -v scalesweep)"
EOF
unset SCALESWEEP_BIN
export SCALESWEEP_SETUP=$tmp/setup.sh
say "installed in $prefix ($("$bin" --version)); SCALESWEEP_SETUP loads its module"

# --- helpers -------------------------------------------------------------------
job_field() { scontrol show job "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n1; }
# Polls squeue every 0.5 s until job $1 has left the queue (limit $2 seconds).
wait_gone() {
  local deadline=$((SECONDS + $2))
  while [[ -n $(squeue -h -j "$1" 2>/dev/null) ]]; do
    ((SECONDS < deadline)) || fail "job $1 still queued after $2 s (state $(job_field "$1" JobState))"
    sleep 0.5
  done
}
# Waits until job $1's Slurm log ($2) shows a progress line with a quarter of
# the cells finished and cells still to do (limit $3 seconds).
wait_mid_run() {
  local deadline=$((SECONDS + $3)) line finished total
  while ((SECONDS < deadline)); do
    line=$(grep -a '^progress: ' "$2" 2>/dev/null | tail -n1 || true)
    if [[ $line =~ ^progress:\ ([0-9]+)/([0-9]+)\ cells ]]; then
      finished=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]}
      ((finished >= total)) && fail "job $1 finished before it could be interrupted ($line)"
      ((4 * finished >= total)) && return 0
    fi
    [[ -n $(squeue -h -j "$1" 2>/dev/null) ]] || fail "job $1 ended before it could be interrupted"
    sleep 0.25
  done
  fail "job $1 showed no progress within $3 s"
}
# Waits until requeued job $1 is pending again, then lets it start at once
# (otherwise it waits for cred_expire, about 120 s).
restart_now() {
  local deadline=$((SECONDS + 60)) state
  while ((SECONDS < deadline)); do
    state=$(job_field "$1" JobState)
    if [[ $state == PENDING && $(job_field "$1" Restarts) -ge 1 ]]; then
      # slurmd refuses a launch in the same second as the kill that revoked
      # the job's credential ("Job credential revoked"): start it a second later.
      sleep 1.1
      scontrol update JobId="$1" StartTime=now && return 0
    fi
    sleep 0.25
  done
  fail "job $1 was not requeued (state $(job_field "$1" JobState), restarts $(job_field "$1" Restarts))"
}
expect_done() { # job-id, expected restarts
  local state exit restarts
  state=$(job_field "$1" JobState) exit=$(job_field "$1" ExitCode) restarts=$(job_field "$1" Restarts)
  [[ $state == COMPLETED && $exit == 0:0 ]] || fail "job $1 ended $state $exit (log $tmp/$1.out)"
  [[ $restarts == "$2" ]] || fail "job $1 restarted $restarts times, expected $2"
}
submit_sweep() { # launcher results-file -> job id
  SCALESWEEP_LAUNCHER=$1 sbatch --parsable --chdir="$tmp" --output="$tmp/%j.out" \
    --nodes=1 --ntasks-per-node=2 --time=10 "$scripts/sweep.sbatch" "$job" "$2"
}
# Job $1's log shows the setup file's line and the installed binary for
# restarts 0..$2.
expect_setup() {
  local restart
  for restart in $(seq 0 "$2"); do
    grep -qxF "site setup: restart $restart, $("$bin" --version) from $bin" "$tmp/$1.out" ||
      fail "job $1: no site setup line for restart $restart in its log"
    grep -q "restart $restart on .*, $bin\$" "$tmp/$1.out" ||
      fail "job $1: restart $restart did not run $bin"
  done
}
check_complete() { # results-file
  "$bin" inspect --json "$1" | "$python" -c '
import json, sys
summary = json.load(sys.stdin)
status = summary["status"]
assert summary["complete"] and status["done"] == summary["cells"], "incomplete: %s" % status
print("%d cells done" % summary["cells"])'
}
same_results() { "$python" "$root/scripts/same-results.py" "$1" "$2"; } # reference candidate

# A small job: 16 cells, about 5 s on two ranks here with the best kernel:
# long enough that a stop sent after the first quarter finds cells running.
job=$tmp/slurm-test.json
cat >"$job" <<'EOF'
{
  "name": "slurm-test",
  "model": {"kind": "projected-features", "features": 1024},
  "task": {"alpha": 2.0, "beta": 0.5},
  "grid": {"width": [64, 128], "data": ["online", 256], "gamma": [0.0, 1.0], "seeds": 2, "steps": [40000]},
  "training": {"batch": 32, "lr": {"0": 0.5, "1": 0.05}, "record_points": 12}
}
EOF
export SCALESWEEP_PROGRESS_INTERVAL=0.5 SCALESWEEP_GRACE=0.5
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Every sweep starts on Prescott as if the library had chosen it, so each rank
# under srun and mpirun must re-execute itself onto this CPU's best kernel
# before MPI starts (docs/blas.md); all runs then share one kernel.
export OPENBLAS_CORETYPE=Prescott SCALESWEEP_TEST_CORETYPE_IS_LIBRARY=1
check_kernel() { # job-id results-file
  grep -qw avx /proc/cpuinfo || { echo "no AVX: Prescott kept"; return; }
  grep -q "(the library chose Prescott" "$tmp/$1.out" || fail "job $1 did not switch kernel (log $tmp/$1.out)"
  "$bin" inspect --json "$2" | "$python" -c '
import json, sys
kernels = {r["blas_kernel"] for run in json.load(sys.stdin)["provenance"] for r in run["ranks"]}
assert kernels and "Prescott" not in kernels, "provenance kernels %s" % kernels
print("kernel %s on every rank" % ",".join(sorted(kernels)))'
}

# --- 1. srun, uninterrupted: the reference, with the analysis chained ----------
t=$SECONDS
a=$(submit_sweep srun "$tmp/srun.h5")
jobs_submitted+=("$a")
f=$(sbatch --parsable --chdir="$tmp" --output="$tmp/%j.out" \
  --dependency=afterok:"$a" "$scripts/frontier.sbatch" "$tmp/srun.h5" "$tmp/srun-frontier")
jobs_submitted+=("$f")
wait_gone "$a" 90
expect_done "$a" 0
expect_setup "$a" 0
complete=$(check_complete "$tmp/srun.h5")
kernel=$(check_kernel "$a" "$tmp/srun.h5")
say "srun sweep: job $a done in $((SECONDS - t)) s; $complete; $kernel"
wait_gone "$f" 60
expect_done "$f" 0
[[ -s $tmp/srun-frontier/frontier.json ]] || fail "frontier job $f wrote no frontier.json"
say "frontier.sbatch after afterok:$a: job $f done"

# --- 2. mpirun, uninterrupted ---------------------------------------------------
t=$SECONDS
b=$(submit_sweep mpirun "$tmp/mpirun.h5")
jobs_submitted+=("$b")
wait_gone "$b" 90
expect_done "$b" 0
complete=$(check_complete "$tmp/mpirun.h5")
same=$(same_results "$tmp/srun.h5" "$tmp/mpirun.h5")
kernel=$(check_kernel "$b" "$tmp/mpirun.h5")
say "mpirun sweep: job $b done in $((SECONDS - t)) s; $complete; $same to the srun run; $kernel"

# --- hostile names through sbatch: a printed script must not execute them ------
t=$SECONDS
hostile_dir=$tmp/$'w $(touch pwned) `touch pwned` \'; touch pwned; \'\n#SBATCH --wrap="touch pwned"\ntouch pwned'
mkdir -p "$hostile_dir"
"$python" - "$hostile_dir/job.json" <<'EOF'
import json, sys
name = "x$(touch pwned)`touch pwned`';touch pwned;'\"\n#SBATCH --wrap=\"touch pwned\"\ntouch pwned"
job = {"name": name, "model": {"kind": "projected-features", "features": 128},
       "task": {"alpha": 2.0, "beta": 0.5},
       "grid": {"width": [16, 32], "data": ["online"], "gamma": [0.0], "seeds": 1, "steps": [200]},
       "training": {"batch": 8, "lr": 0.5, "record_points": 5}}
json.dump(job, open(sys.argv[1], "w"))
EOF
(cd "$hostile_dir" && "$bin" slurm job.json --ntasks-per-node 2 --time 5 --partition test) >"$tmp/hostile.sbatch"
# No setup and no scalesweep on PATH: the printed script falls back to the
# installed binary that printed it.
h=$(env -u SCALESWEEP_SETUP sbatch --parsable --chdir="$hostile_dir" "$tmp/hostile.sbatch")
jobs_submitted+=("$h")
wait_gone "$h" 60
expect_done "$h" 0
hostile_results=$(find "$hostile_dir" -name '*.h5')
[[ -n $hostile_results ]] || fail "job $h wrote no results in $hostile_dir"
complete=$(check_complete "$hostile_results")
[[ -z $(find "$tmp" -name pwned) ]] || fail "a hostile job name or path was executed"
say "printed script for a hostile job name and directory: job $h done in $((SECONDS - t)) s; $complete; nothing executed"

# --- 3. preemption mid-run, each way with each launcher ------------------------
# `scontrol requeue`: Slurm sends SIGTERM to every process of the job and
# requeues it. SIGUSR1 to the batch shell alone (what --signal=B:USR1@N sends
# before the time limit): the script stops the sweep and requeues the job.
# The analysis is chained to one of them and must wait for the final run.
preempt() { # requeue|usr1, launcher
  local how=$1 launcher=$2 t=$SECONDS id analysis_id="" out=$tmp/$1-$2.h5 complete same
  id=$(submit_sweep "$launcher" "$out")
  jobs_submitted+=("$id")
  if [[ $how == usr1 && $launcher == mpirun ]]; then
    analysis_id=$(sbatch --parsable --chdir="$tmp" --output="$tmp/%j.out" \
      --dependency=afterok:"$id" "$scripts/frontier.sbatch" "$out")
    jobs_submitted+=("$analysis_id")
  fi
  wait_mid_run "$id" "$tmp/$id.out" 60
  if [[ $how == requeue ]]; then
    scontrol requeue "$id"
  else
    scancel --batch --signal=USR1 "$id"
  fi
  restart_now "$id"
  if [[ -n $analysis_id && $(job_field "$analysis_id" JobState) != PENDING ]]; then
    fail "frontier job $analysis_id did not wait for the requeued sweep $id"
  fi
  wait_gone "$id" 90
  expect_done "$id" 1
  expect_setup "$id" 1
  if [[ $how == usr1 ]]; then
    grep -q '^interrupted (SIGUSR1)' "$tmp/$id.out" || fail "job $id: no 'interrupted' line in its log"
    grep -q 'requeueing job' "$tmp/$id.out" || fail "job $id did not requeue itself"
  else
    # mpirun aborts on SIGTERM and may drop rank 0's last lines: the batch
    # shell's own note is the evidence here.
    grep -q 'stopped by SIGTERM' "$tmp/$id.out" || fail "job $id: no graceful stop in its log"
  fi
  complete=$(check_complete "$out")
  same=$(same_results "$tmp/srun.h5" "$out")
  say "$how mid-run, $launcher: job $id done after 1 restart in $((SECONDS - t)) s; $complete; $same to the uninterrupted run"
  if [[ -n $analysis_id ]]; then
    wait_gone "$analysis_id" 60
    expect_done "$analysis_id" 0
    say "frontier.sbatch chained to the requeued sweep: job $analysis_id ran after it, done"
  fi
}
preempt requeue srun
preempt requeue mpirun
preempt usr1 srun
preempt usr1 mpirun

say "PASS: real Slurm, both launchers, requeue by Slurm and by the job itself, in $SECONDS s"
