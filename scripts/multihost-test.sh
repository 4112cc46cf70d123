#!/usr/bin/env bash
# Sweeps across hosts, and hosts lost mid-sweep: two Linux network namespaces
# act as two hosts (2 ranks each) joined by a private bridge; mpirun stays in
# the root namespace and starts its remote daemons through `ip netns exec`.
#
#   scripts/multihost-test.sh        (as root: it needs CAP_NET_ADMIN)
#
#   (a) 2 hosts x 2 ranks give a file equal, except /cells/rank,
#       /cells/seconds and /cells/checksum (over them), to a 1-rank run;
#   (b) kill -9 of the second host's Open MPI daemon mid-run: mpirun ends and
#       `--resume` completes the file exactly;
#   (d) SIGSTOP of a rank on the second host: the run ends by itself with
#       status 75, naming the lost rank, and `--resume` completes it exactly;
#   (c) (last: the link stays down) the second host's link goes down mid-run:
#       the run ends by itself (status 205 from mpirun, see below) and
#       `--resume` completes it exactly.
#
# Everything it creates is named ssweep-* (namespaces ssweep-h1/-h2, bridge
# ssweep-br, veths ssweep-h1v/-h2v, subnet 10.213.0.0/24 on that bridge only);
# it refuses to start if any exists and removes all of it on every exit path,
# killing only processes inside its own namespaces.
# Variables: SCALESWEEP_BIN, SCALESWEEP_PYTHON (needs h5py). About a minute here.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${SCALESWEEP_BIN:-$root/.build/release/scalesweep}
python=${SCALESWEEP_PYTHON:-$root/.venv/bin/python}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
started=$SECONDS
timeout=3 # --rank-timeout of the fault runs (seconds)

say() { printf '[multihost-test %3ds] %s\n' "$((SECONDS - started))" "$*"; }
fail() {
  say "FAIL: $*" >&2
  exit 1
}

[[ $(id -u) -eq 0 ]] || fail "needs root (creates network namespaces)"
[[ -x $bin ]] || fail "no scalesweep binary at $bin (build first, or set SCALESWEEP_BIN)"
"$python" -c 'import h5py, numpy' 2>/dev/null || fail "$python lacks h5py (make python)"
command -v ip >/dev/null || fail "needs iproute2 (ip)"

hosts=(ssweep-h1 ssweep-h2)
bridge=ssweep-br
for ns in "${hosts[@]}"; do
  ip netns list | grep -qw "$ns" && fail "network namespace $ns already exists (another run?)"
done
for dev in "$bridge" ssweep-h1v ssweep-h2v; do
  ip link show "$dev" >/dev/null 2>&1 && fail "network device $dev already exists (another run?)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scalesweep-multihost.XXXXXX")
mpirun_pid=
cleanup() {
  local status=$?
  set +e
  [[ -n $mpirun_pid ]] && kill -9 "$mpirun_pid" 2>/dev/null
  for ns in "${hosts[@]}"; do
    if ip netns list | grep -qw "$ns"; then
      for pid in $(ip netns pids "$ns"); do kill -CONT "$pid" 2>/dev/null; kill -9 "$pid" 2>/dev/null; done
      ip netns delete "$ns"
    fi
  done
  ip link delete "$bridge" 2>/dev/null
  ip link delete ssweep-h1v 2>/dev/null
  ip link delete ssweep-h2v 2>/dev/null
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- two hosts on a private bridge --------------------------------------------
ip link add "$bridge" type bridge
ip addr add 10.213.0.1/24 dev "$bridge"
ip link set "$bridge" up
n=10
for ns in "${hosts[@]}"; do
  n=$((n + 1))
  ip netns add "$ns"
  ip link add "${ns}v" type veth peer name eth0 netns "$ns"
  ip link set "${ns}v" master "$bridge" up
  ip -n "$ns" addr add "10.213.0.$n/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
done
# mpirun hands its remote command as one shell string, as it would to ssh.
cat >"$tmp/agent" <<'EOF'
#!/bin/sh
host=$1
shift
exec ip netns exec "$host" /bin/sh -c "$*"
EOF
chmod +x "$tmp/agent"
printf '%s slots=2\n' "${hosts[@]}" >"$tmp/hostfile"
mpi_args=(--hostfile "$tmp/hostfile" -np 4 --mca plm_rsh_agent "$tmp/agent"
  --mca plm_rsh_no_tree_spawn 1 --mca btl "tcp,self"
  --mca btl_tcp_if_include 10.213.0.0/24 --mca oob_tcp_if_include 10.213.0.0/24
  # Without keepalives mpirun never notices an unreachable daemon (a
  # partition): it hangs once rank 0 has ended, resending its kill orders
  # (TCP keepalives stop while data is unacknowledged). With them it notices
  # about time + intvl x probes = 3 s into the silence and ends the job itself.
  --mca oob_tcp_keepalive_time 1 --mca oob_tcp_keepalive_intvl 1
  --mca oob_tcp_keepalive_probes 2)

# 16 cells of about 0.3-1 s each here.
job=$tmp/job.json
cat >"$job" <<'EOF'
{
  "name": "multihost-test",
  "model": {"kind": "projected-features", "features": 1024},
  "task": {"alpha": 2.0, "beta": 0.5},
  "grid": {"width": [64, 128], "data": ["online", 256], "gamma": [0.0, 1.0], "seeds": 2, "steps": [5000]},
  "training": {"batch": 32, "lr": {"0": 0.5, "1": 0.05}, "record_points": 12}
}
EOF

same_results() { "$python" "$root/scripts/same-results.py" "$1" "$2"; } # reference candidate
ranks_used() { "$python" -c 'import sys, h5py; print(len(set(h5py.File(sys.argv[1], "r")["cells/rank"][()])))' "$1"; }
# Ends whatever an earlier case left in the test's own namespaces (a killed
# daemon's peer, a stopped rank), so that each case starts on clean hosts.
reap_hosts() {
  for ns in "${hosts[@]}"; do
    for pid in $(ip netns pids "$ns"); do kill -CONT "$pid" 2>/dev/null; kill -9 "$pid" 2>/dev/null; done
  done
  sleep 0.2
}
# Starts the sweep over both hosts in the background; its output goes to $1.log.
# Open MPI's own start-up over the rsh agent now and then hangs before any
# rank exists (seen under load: one daemon up, no scalesweep process); such a
# launch, and only such a launch, is ended and tried again, at most 3 times.
start_sweep() { # out extra-args...
  local out=$1 attempt
  shift
  for attempt in 1 2 3; do
    reap_hosts
    mpirun "${mpi_args[@]}" "$bin" run "$job" --out "$out" --force --progress-interval 0.2 "$@" \
      >"$out.log" 2>&1 &
    mpirun_pid=$!
    sweep_log=$out.log
    for _ in $(seq 200); do
      grep -q "^scalesweep .*: job " "$out.log" 2>/dev/null && return 0
      kill -0 "$mpirun_pid" 2>/dev/null || return 0 # ended: the case judges its status
      sleep 0.1
    done
    [[ -z $(rank_pids ssweep-h1)$(rank_pids ssweep-h2) ]] ||
      fail "$out: ranks started but no start line within 20 s: $(tail -3 "$out.log")"
    say "Open MPI start-up hung before any rank existed (attempt $attempt); starting again"
    kill -9 "$mpirun_pid" 2>/dev/null
    wait "$mpirun_pid" 2>/dev/null || true # its status is that of the kill
    mpirun_pid=
  done
  fail "$out: Open MPI did not start the ranks in 3 attempts"
}
# Waits for mpirun (at most $1 s); its exit status goes to $status.
wait_sweep() {
  local limit=$1 waited=0
  while kill -0 "$mpirun_pid" 2>/dev/null; do
    ((waited < limit * 10)) || fail "mpirun still running after ${limit}s: $(tail -4 "$sweep_log")" 
    sleep 0.1
    waited=$((waited + 1))
  done
  status=0
  wait "$mpirun_pid" || status=$?
  mpirun_pid=
}
# Waits until the sweep has recorded at least $2 cells (its progress lines).
wait_cells() { # out count
  for _ in $(seq 600); do
    local finished
    finished=$(sed -n 's/^progress: \([0-9]*\)\/.*/\1/p' "$1.log" | tail -1)
    [[ -n $finished && $finished -ge $2 ]] && return 0
    kill -0 "$mpirun_pid" 2>/dev/null || fail "the sweep ended before $2 cells: $(tail -3 "$1.log")"
    sleep 0.1
  done
  fail "fewer than $2 cells after 60 s"
}
rank_pids() { # namespace: the scalesweep ranks running there
  for pid in $(ip netns pids "$1"); do
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == scalesweep ]] && echo "$pid"
  done
  return 0
}
resume_exactly() { # out
  "$bin" run "$job" --out "$1" --resume --quiet >"$1.resume.log" 2>&1 ||
    fail "resume of $1 failed: $(tail -3 "$1.resume.log")"
  same_results "$tmp/reference.h5" "$1" >/dev/null || fail "$1 after resume differs from the reference"
}

only=${SCALESWEEP_MULTIHOST_ONLY:-abcd} # a subset of the cases, for debugging
say "reference: 1 rank"
"$bin" run "$job" --out "$tmp/reference.h5" --quiet >/dev/null

# --- (a) -----------------------------------------------------------------------
if [[ $only == *a* ]]; then
say "(a) 2 hosts x 2 ranks"
start_sweep "$tmp/a.h5"
wait_sweep 120
[[ $status == 0 ]] || fail "(a) exit $status: $(tail -5 "$tmp/a.h5.log")"
same_results "$tmp/reference.h5" "$tmp/a.h5" || fail "(a) differs from the 1-rank run"
used=$(ranks_used "$tmp/a.h5")
((used >= 3)) || fail "(a) only $used ranks trained cells"
say "(a) ok: equal to the 1-rank run, $used ranks trained cells"

fi

# --- (b) -----------------------------------------------------------------------
if [[ $only == *b* ]]; then
say "(b) kill -9 of the second host's daemon"
start_sweep "$tmp/b.h5" --rank-timeout "$timeout"
wait_cells "$tmp/b.h5" 2
daemon=
for pid in $(ip netns pids ssweep-h2); do
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == orted ]] && daemon=$pid
done
[[ -n $daemon ]] || fail "(b) no orted in ssweep-h2"
fault=$SECONDS
kill -9 "$daemon"
wait_sweep 60
[[ $status != 0 ]] || fail "(b) mpirun exited 0 after losing a daemon"
say "(b) mpirun ended $((SECONDS - fault))s after the kill, exit $status"
resume_exactly "$tmp/b.h5"
say "(b) ok: --resume completed the file exactly"

fi

# --- (d) -----------------------------------------------------------------------
if [[ $only == *d* ]]; then
say "(d) SIGSTOP of a rank on the second host"
start_sweep "$tmp/d.h5" --rank-timeout "$timeout"
wait_cells "$tmp/d.h5" 2
victim=$(rank_pids ssweep-h2 | sed -n 1p)
[[ -n $victim ]] || fail "(d) no rank in ssweep-h2"
fault=$SECONDS
kill -STOP "$victim"
wait_sweep 60
elapsed=$((SECONDS - fault))
[[ $status == 75 ]] || fail "(d) exit $status, expected 75: $(grep -v ^progress "$tmp/d.h5.log")"
((elapsed <= timeout + 15)) || fail "(d) the run took ${elapsed}s after the fault"
grep -q "^lost rank [23] (" "$tmp/d.h5.log" || fail "(d) the lost rank is not named: $(grep lost "$tmp/d.h5.log")"
say "(d) exit 75 ${elapsed}s after SIGSTOP: $(grep '^lost' "$tmp/d.h5.log" | cut -d: -f1)"
resume_exactly "$tmp/d.h5"
say "(d) ok: --resume completed the file exactly"
fi

# --- (c) -----------------------------------------------------------------------
if [[ $only == *c* ]]; then
say "(c) the second host's link goes down"
# A rank timeout longer than mpirun's keepalive detection, so that the order
# of events is certain (see the keepalive note above).
start_sweep "$tmp/c.h5" --rank-timeout $((timeout * 2))
wait_cells "$tmp/c.h5" 2
fault=$SECONDS
ip -n ssweep-h2 link set eth0 down
wait_sweep 60
elapsed=$((SECONDS - fault))
# mpirun notices the lost daemon first and ends the job with its own status,
# 205 (rank 0 stops as on SIGTERM); had rank 0 ended first it would be 75.
[[ $status == 75 || $status == 205 ]] || fail "(c) exit $status, expected 75 or 205: $(grep -v ^progress "$tmp/c.h5.log")"
((elapsed <= 2 * timeout + 10)) || fail "(c) the run took ${elapsed}s after the fault"
grep -q "lost communication with a remote daemon\|^lost ranks\? .*[23] (" "$tmp/c.h5.log" ||
  fail "(c) neither mpirun nor rank 0 named what was lost: $(grep -v ^progress "$tmp/c.h5.log")"
# The lost host's ranks stopped by themselves (they stopped hearing rank 0).
for _ in $(seq 50); do [[ -z $(rank_pids ssweep-h2) ]] && break; sleep 0.1; done
[[ -z $(rank_pids ssweep-h2) ]] || fail "(c) ranks still running on the cut-off host"
say "(c) exit $status ${elapsed}s after the link went down"
resume_exactly "$tmp/c.h5"
say "(c) ok: --resume completed the file exactly"

fi

say "all multi-host tests passed"
