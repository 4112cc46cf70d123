#!/usr/bin/env bash
# Installs or removes ScaleSweep under a prefix; `make install` and
# `make uninstall` call it.
#
#   scripts/install.sh install PREFIX BINARY    (BINARY: the statically linked build)
#   scripts/install.sh uninstall PREFIX
#
# Installs PREFIX/bin/scalesweep, the sbatch scripts, example jobs and docs
# under PREFIX/share/scalesweep, and an Environment Modules / Lmod modulefile
# PREFIX/share/modulefiles/scalesweep/VERSION. Every file written and every
# directory created is listed in PREFIX/share/scalesweep/install-manifest;
# uninstall removes exactly those (directories only when empty). Installing
# over an earlier install removes that one first.
set -euo pipefail

usage="usage: scripts/install.sh install PREFIX BINARY | uninstall PREFIX"
action=${1:?$usage}
prefix=${2:?$usage}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

fail() {
  echo "scalesweep install: $*" >&2
  exit 2
}

# Tcl (the modulefile) and the manifest (one path a line) need plain paths.
case $prefix in
  /*) ;;
  *) prefix=$(pwd)/$prefix ;;
esac
[[ $prefix != *[$'\n'{}\\\"]* ]] || fail "PREFIX $prefix: newlines, braces, quotes and backslashes are not supported"
prefix=${prefix%/}
[[ -n $prefix ]] || fail "PREFIX / is not supported"
manifest=$prefix/share/scalesweep/install-manifest

uninstall() {
  [[ -f $manifest ]] || fail "nothing to uninstall: no $manifest"
  local kind path dirs=()
  while IFS=' ' read -r kind path; do
    case $kind in
      f) rm -f -- "$path" ;;
      d) dirs+=("$path") ;;
      *) fail "$manifest: unexpected line \"$kind $path\"" ;;
    esac
  done <"$manifest"
  rm -f -- "$manifest"
  # Deepest first; a directory that holds anything not ours stays.
  local i
  for ((i = ${#dirs[@]} - 1; i >= 0; i--)); do
    rmdir -- "${dirs[i]}" 2>/dev/null || true
  done
  echo "removed ScaleSweep from $prefix"
}

if [[ $action == uninstall ]]; then
  uninstall
  exit 0
fi
[[ $action == install ]] || fail "$usage"
binary=${3:?$usage}
[[ -x $binary ]] || fail "no binary at $binary"
version=$("$binary" --version) || fail "$binary --version failed"
version=${version#scalesweep }
[[ $version =~ ^[0-9A-Za-z._+-]+$ ]] || fail "$binary --version printed \"$version\""

if [[ -f $manifest ]]; then uninstall; fi

entries=()
# Creates directory $1 and its missing parents, recording those it created.
make_dir() {
  local dir=$1 missing=()
  while [[ ! -d $dir ]]; do
    missing=("$dir" "${missing[@]}")
    dir=$(dirname -- "$dir")
  done
  local d
  for d in "${missing[@]}"; do
    mkdir -- "$d"
    entries+=("d $d")
  done
}
# put MODE SOURCE DEST: copies one file, recording it.
put() {
  make_dir "$(dirname -- "$3")"
  install -m "$1" -- "$2" "$3"
  entries+=("f $3")
}

share=$prefix/share/scalesweep
put 755 "$binary" "$prefix/bin/scalesweep"

# The sbatch scripts name the installed binary, their fallback when
# scalesweep is not on PATH.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
installed_bin=$(printf '%q' "$prefix/bin/scalesweep")
for script in sweep frontier; do
  grep -q '^installed_bin=$' "$root/slurm/$script.sbatch" ||
    fail "slurm/$script.sbatch has no installed_bin= line"
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line == installed_bin= ]] && line=installed_bin=$installed_bin
    printf '%s\n' "$line"
  done <"$root/slurm/$script.sbatch" >"$tmp/$script.sbatch"
  put 755 "$tmp/$script.sbatch" "$share/slurm/$script.sbatch"
done
for file in "$root"/jobs/*.json; do put 644 "$file" "$share/jobs/${file##*/}"; done
put 644 "$root/README.md" "$share/README.md"
for file in "$root"/docs/*.md; do put 644 "$file" "$share/docs/${file##*/}"; done
for file in "$root"/docs/img/*.svg; do put 644 "$file" "$share/docs/img/${file##*/}"; done

# One modulefile, read by Environment Modules and by Lmod alike.
cat >"$tmp/modulefile" <<EOF
#%Module1.0
## ScaleSweep $version, installed by \`make install PREFIX=$prefix\`.
proc ModulesHelp { } {
  puts stderr "ScaleSweep $version: neural scaling-law sweeps over MPI ranks."
  puts stderr "Binary {$prefix/bin/scalesweep}; Slurm scripts, jobs and docs in {$share}."
}
module-whatis "ScaleSweep $version: neural scaling-law sweeps over MPI ranks"
conflict scalesweep
prepend-path PATH {$prefix/bin}
setenv SCALESWEEP_HOME {$share}
EOF
put 644 "$tmp/modulefile" "$prefix/share/modulefiles/scalesweep/$version"

entries+=("f $manifest")
printf '%s\n' "${entries[@]}" >"$manifest"
echo "installed ScaleSweep $version in $prefix: $prefix/bin/scalesweep, $share,"
echo "  modulefile $prefix/share/modulefiles/scalesweep/$version (module use $prefix/share/modulefiles)"
