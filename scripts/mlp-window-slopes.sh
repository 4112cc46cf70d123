#!/bin/sh
# Fixed-window loss-vs-time slopes of a results file (seed geometric mean,
# least squares in log-log over records with lo <= t <= hi), per gamma and width.
# Usage: scripts/mlp-window-slopes.sh out/JOB.h5 [WIDTH] [curve]
# (with "curve", also print the seed-mean loss at every record)
# Needs h5dump (hdf5-tools) and python3; reads /steps, /cells/*, /loss/test.
set -e
f=$1; w=${2:-512}; c=${3:-}; tmp=$(mktemp -d)
for d in /steps /cells/width /cells/gamma /loss/test; do
  h5dump -A 0 -y -w 0 -d $d "$f" | sed -n '/DATA {/,/}/p' | grep -v 'DATA\|}' \
    | sed 's/([0-9,]*)://g' | tr -d ' ' | tr '\n' ' ' > "$tmp/$(echo $d | tr / _)"
done
python3 - "$tmp" "$w" "$c" <<'PY'
import sys, math
tmp, width = sys.argv[1], float(sys.argv[2])
rd = lambda n: [float(x) for x in open(f"{tmp}/{n}").read().replace(',', ' ').split()]
t, W, G, L = rd('_steps'), rd('_cells_width'), rd('_cells_gamma'), rd('_loss_test')
n = len(t)
for g in sorted(set(G)):
    rows = [L[i*n:(i+1)*n] for i in range(len(W)) if W[i] == width and G[i] == g]
    gm = [math.exp(sum(math.log(r[k]) for r in rows) / len(rows)) for k in range(n)]
    out = []
    for lo, hi in ((10, 100), (100, 1000), (1000, 1e4), (100, 1e4)):
        pts = [(math.log(t[k]), math.log(gm[k])) for k in range(n) if lo <= t[k] <= hi]
        mx = sum(p[0] for p in pts) / len(pts); my = sum(p[1] for p in pts) / len(pts)
        s = sum((x-mx)*(y-my) for x, y in pts) / sum((x-mx)**2 for x, y in pts)
        out.append(f"[{lo:g},{hi:g}] {s:+.3f}")
    print(f"gamma={g:g} N={width:g} seeds={len(rows)} L(t_max)={gm[-1]:.3g}: " + "  ".join(out))
    if sys.argv[3:] == ['curve']:
        print("   " + " ".join(f"{t[k]:g}:{gm[k]:.3g}" for k in range(n)))
PY
rm -r "$tmp"
