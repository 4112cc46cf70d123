#!/usr/bin/env python3
"""Reference optima for FrontierTests, computed once with scipy.

Run:  python3 -m venv /tmp/venv && /tmp/venv/bin/pip install scipy numpy pandas
      /tmp/venv/bin/python make_reference.py   (in this Fixtures directory)
Writes lbfgs_reference.json:
  - Rosenbrock (2-D from (-1.2, 1), 6-D from zeros): scipy L-BFGS-B optimum.
  - Chinchilla objective (Epoch AI replication): sum of Huber(1e-3) of
    log L_hat - log L with log L_hat = LSE(logA - a log N, logB - b log D, logE),
    D = C / (6 N), 5 highest-loss runs dropped; L-BFGS-B from the full
    4500-start grid; the best optimum, plus the value and gradient of the
    objective at a fixed point (checks the Swift objective independently).
Parameter order everywhere: [logA, a, logB, b, logE].
"""
import itertools, json, os
import numpy as np
import pandas as pd
from scipy.optimize import minimize, rosen, rosen_der
from scipy.special import huber, logsumexp

here = os.path.dirname(os.path.abspath(__file__))
df = pd.read_csv(os.path.join(here, "chinchilla_svg_extracted_data.csv"))
df = df.sort_values("loss", ascending=False).iloc[5:]
N = df["Model Size"].to_numpy(float)
C = df["Training FLOP"].to_numpy(float)
L = df["loss"].to_numpy(float)
D = C / (6 * N)
lN, lD, lL = np.log(N), np.log(D), np.log(L)
delta = 1e-3


def objective(theta):
    logA, a, logB, b, logE = theta
    u = np.stack([logA - a * lN, logB - b * lD, np.full_like(lN, logE)])
    lse = logsumexp(u, axis=0)
    r = lse - lL
    f = huber(delta, r).sum()
    h = np.clip(r, -delta, delta)
    p = np.exp(u - lse)
    g = np.array([
        (h * p[0]).sum(), -(h * p[0] * lN).sum(),
        (h * p[1]).sum(), -(h * p[1] * lD).sum(), (h * p[2]).sum()])
    return f, g


def main():
    out = {}
    ros = []
    for x0 in ([-1.2, 1.0], [0.0] * 6):
        r = minimize(rosen, np.array(x0), jac=rosen_der, method="L-BFGS-B",
                     options=dict(maxiter=10000, ftol=1e-15, gtol=1e-12))
        ros.append(dict(start=x0, x=r.x.tolist(), value=float(r.fun)))
    out["rosenbrock"] = ros
    best = None
    runs = 0
    for a, b, e, la, lb in itertools.product(
            [0, .5, 1, 1.5, 2], [0, .5, 1, 1.5, 2], [-1, -.5, 0, .5, 1],
            [0, 5, 10, 15, 20, 25], [0, 5, 10, 15, 20, 25]):
        x0 = np.array([la, a, lb, b, e], float)
        r = minimize(objective, x0, jac=True, method="L-BFGS-B")
        runs += 1
        if np.isfinite(r.fun) and (best is None or r.fun < best[0]):
            best = (float(r.fun), r.x.tolist(), x0.tolist())
    f, x, x0 = best
    probe = [6.0, 0.35, 7.5, 0.37, 0.6]
    pf, pg = objective(np.array(probe))
    out["chinchilla"] = dict(
        points=int(len(L)), huberDelta=delta, starts=runs, bestValue=f, bestTheta=x,
        bestStart=x0,
        E=float(np.exp(x[4])), A=float(np.exp(x[0])), a=x[1], B=float(np.exp(x[2])), b=x[3],
        probeTheta=probe, probeValue=float(pf), probeGradient=pg.tolist())
    with open(os.path.join(here, "lbfgs_reference.json"), "w") as fh:
        json.dump(out, fh, indent=2)
    print(json.dumps(out["chinchilla"], indent=2))


if __name__ == "__main__":
    main()
