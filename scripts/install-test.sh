#!/usr/bin/env bash
# Test of `make install` / `make uninstall` as a cluster user meets them:
#
#   scripts/install-test.sh     (installs environment-modules from Debian if
#                                neither it nor Lmod is present: needs root)
#
# Installs into a temporary PREFIX, then, with PATH reduced to the system
# directories and no LD_LIBRARY_PATH (so no Swift toolchain in sight): runs
# the installed binary's --version, checks with ldd that no Swift runtime
# library comes from outside PREFIX, runs a small sweep on 2 MPI ranks and
# checks the file; loads the modulefile with Environment Modules (or Lmod)
# and finds scalesweep on PATH; checks the installed sbatch scripts name the
# installed binary; runs `make uninstall` and checks PREFIX is empty. Then,
# without a rebuild: installing twice and uninstalling leaves a file that
# was not ours. About 10 s when the static build is up to date (make install
# builds it in .build/static otherwise, about 70 s here).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
started=$SECONDS
say() { printf '[install-test %3ds] %s\n' "$((SECONDS - started))" "$*"; }
fail() {
  say "FAIL: $*" >&2
  exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scalesweep-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
mkdir "$prefix"
# The environment of a compute node without the toolchain: system PATH only.
system_path=/usr/local/bin:/usr/bin:/bin
clean() { env -i HOME="$tmp" PATH="$system_path" "$@"; }

make -s -C "$root" install PREFIX="$prefix" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "make install PREFIX=$prefix failed"; }
bin=$prefix/bin/scalesweep
[[ -x $bin ]] || fail "no $bin after make install"
say "make install PREFIX=$prefix done"

# --- the binary without the toolchain ---------------------------------------
version=$(clean "$bin" --version) || fail "$bin --version failed without the toolchain on PATH"
expected=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' "$root/Sources/SweepSpec/Version.swift")
[[ $version == "scalesweep $expected" ]] || fail "--version printed \"$version\", expected scalesweep $expected"
clean ldd "$bin" >"$tmp/ldd.txt" || fail "ldd $bin failed"
if grep -q 'not found' "$tmp/ldd.txt"; then fail "unresolved libraries: $(grep 'not found' "$tmp/ldd.txt")"; fi
swift_libs=$(grep -Ei 'swift|foundation|dispatch|BlocksRuntime|icu' "$tmp/ldd.txt" | grep -v "=> $prefix/" || true)
[[ -z $swift_libs ]] || fail "Swift runtime libraries from outside $prefix: $swift_libs"
if readelf -d "$bin" | grep -E 'R(UN)?PATH' | grep -q '/'; then
  fail "the installed binary's run path names a directory: $(readelf -d "$bin" | grep -E 'R(UN)?PATH')"
fi
needed=$(readelf -d "$bin" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
say "$version runs with PATH=$system_path and no LD_LIBRARY_PATH; needs only $needed"

cat >"$tmp/job.json" <<'EOF'
{
  "name": "install-test",
  "model": {"kind": "projected-features", "features": 128},
  "task": {"alpha": 2.0, "beta": 0.5},
  "grid": {"width": [16, 32], "data": ["online"], "gamma": [0.0, 1.0], "seeds": 1, "steps": [200]},
  "training": {"batch": 8, "lr": 0.5, "record_points": 5}
}
EOF
clean OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
  mpirun --oversubscribe -np 2 "$bin" run "$tmp/job.json" --out "$tmp/r.h5" --quiet \
  >"$tmp/run.log" 2>&1 || { cat "$tmp/run.log" >&2; fail "the sweep with the installed binary failed"; }
clean "$bin" inspect --json "$tmp/r.h5" | grep -Eq '"complete"[[:space:]]*:[[:space:]]*true' ||
  fail "the installed binary's sweep left $tmp/r.h5 incomplete"
say "4-cell sweep on 2 ranks (system mpirun) with the installed binary: complete"

# --- the sbatch scripts name the installed binary ----------------------------
for script in sweep frontier; do
  grep -qxF "installed_bin=$prefix/bin/scalesweep" "$prefix/share/scalesweep/slurm/$script.sbatch" ||
    fail "installed $script.sbatch does not name $prefix/bin/scalesweep"
  bash -n "$prefix/share/scalesweep/slurm/$script.sbatch" || fail "installed $script.sbatch: syntax"
done
for file in README.md docs/cluster.md jobs/demo.json; do
  [[ -f $prefix/share/scalesweep/$file ]] || fail "$file not installed"
done

# --- the modulefile, with Environment Modules or Lmod --------------------------
module_init=""
for init in /usr/share/modules/init/bash /usr/share/lmod/lmod/init/bash; do
  [[ -f $init ]] && module_init=$init && break
done
if [[ -z $module_init ]]; then
  say "installing Debian's environment-modules"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends environment-modules; } \
    >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log" >&2; fail "could not install environment-modules"; }
  module_init=/usr/share/modules/init/bash
fi
modulefile=$(find "$prefix/share/modulefiles/scalesweep" -type f)
[[ $modulefile == "$prefix/share/modulefiles/scalesweep/$expected" ]] ||
  fail "modulefile: expected $prefix/share/modulefiles/scalesweep/$expected, found ${modulefile:-none}"
# shellcheck disable=SC2016 # expanded by the inner shell
loaded=$(clean bash -c 'source "$1" && module use "$2" && module load scalesweep &&
  echo "$(command -v scalesweep) $(scalesweep --version) $SCALESWEEP_HOME"' \
  module-test "$module_init" "$prefix/share/modulefiles" 2>&1) || fail "module load scalesweep: $loaded"
[[ $loaded == "$bin scalesweep $expected $prefix/share/scalesweep" ]] ||
  fail "after module load: \"$loaded\""
say "module load scalesweep ($module_init): scalesweep on PATH is $bin"

# --- uninstall leaves nothing --------------------------------------------------
make -s -C "$root" uninstall PREFIX="$prefix" >"$tmp/uninstall.log" 2>&1 ||
  { cat "$tmp/uninstall.log" >&2; fail "make uninstall failed"; }
left=$(find "$prefix" -mindepth 1)
[[ -z $left ]] || fail "make uninstall left: $left"
say "make uninstall PREFIX=$prefix: empty"

# Installing twice over a directory holding a file that is not ours, then
# uninstalling, leaves exactly that file (no rebuild: the script directly).
mkdir -p "$prefix/bin"
echo keep >"$prefix/bin/other-tool"
for _ in 1 2; do "$root/scripts/install.sh" install "$prefix" "$root/.build/static/release/scalesweep" >/dev/null; done
"$root/scripts/install.sh" uninstall "$prefix" >/dev/null
left=$(cd "$prefix" && find . -mindepth 1 | sort | tr '\n' ' ')
[[ $left == "./bin ./bin/other-tool " ]] || fail "after installing twice and uninstalling: $left"
say "PASS: install, run without the toolchain, modulefile, uninstall in $((SECONDS - started)) s"
