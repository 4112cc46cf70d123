"""Model 1 of ScaleSweep (projected features, rich) in its reduced form,
written in NumPy: the peer for Sources/Training/ProjectedFeatureTrainer.swift.

Same maths: features psi = Lambda^(1/2) z, lambda_k = k^-alpha, target
w*_k = k^-((alpha beta + 1 - alpha)/2); a batch is (x, y) = L z with L the
Cholesky factor of [[C, c], [c^T, L0]], C = A0 Lambda A0^T, c = A0 Lambda w*;
one SGD step: r = y - N^-1/2 X u, a = X^T r / B, w += eta N^-1/2 Bmat a,
Bmat += eta gamma N^-1/2 w a^T (simultaneous), u = Bmat^T w; the exact
population loss L0 - 2 N^-1/2 c.u + N^-1 u^T C u at record_points steps
spaced evenly in log. Normals from NumPy's default_rng (float64), products
through NumPy's BLAS. The whole cell is timed: set-up (features, covariance,
Cholesky), every step and every record.

Prints one JSON line: {"impl", "width", "features", "batch", "steps",
"seconds", "steps_per_second", "final_test_loss"}.
Usage: python model1_peer.py --width 512 --features 2048 --batch 32 --steps 4000
"""

import argparse
import json
import math
import time

import numpy as np


def record_steps(budget, points):
    """Steps 1..budget spaced evenly in log (distinct, ascending)."""
    if points <= 1:
        return [budget]
    steps = {int(round(math.exp(i * math.log(budget) / (points - 1)))) for i in range(points)}
    return sorted(min(max(s, 1), budget) for s in steps)


def run(args):
    start = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    n, m, b = args.width, args.features, args.batch
    k = np.arange(1, m + 1, dtype=np.float64)
    lam = k ** -args.alpha
    w_star = k ** -((args.alpha * args.beta + 1 - args.alpha) / 2)
    g = rng.standard_normal((n, m)) * np.sqrt(lam)
    big_c = g @ g.T
    small_c = g @ (np.sqrt(lam) * w_star)
    l0 = float(lam @ (w_star * w_star))
    cov = np.empty((n + 1, n + 1))
    cov[:n, :n] = big_c
    cov[:n, n] = small_c
    cov[n, :n] = small_c
    cov[n, n] = l0
    factor_t = np.linalg.cholesky(cov).T.copy()  # X = Z L^T
    s = 1 / math.sqrt(n)
    eta, gamma = args.lr, args.gamma
    w = np.zeros(n)
    bmat = np.eye(n)
    u = np.zeros(n)
    records = set(record_steps(args.steps, args.record_points))
    test = float("nan")
    for step in range(1, args.steps + 1):
        xy = rng.standard_normal((b, n + 1)) @ factor_t
        x, y = xy[:, :n], xy[:, n]
        r = y - s * (x @ u)
        a = x.T @ r / b
        scratch = bmat @ a
        bmat += (eta * gamma * s) * np.outer(w, a)
        w += (eta * s) * scratch
        u = bmat.T @ w
        if step in records:
            test = l0 - 2 * s * float(small_c @ u) + float(u @ (big_c @ u)) / n
    seconds = time.perf_counter() - start
    return {"impl": "numpy", "width": n, "features": m, "batch": b, "steps": args.steps,
            "seconds": seconds, "steps_per_second": args.steps / seconds,
            "final_test_loss": test}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--features", type=int, default=2048)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--gamma", type=float, default=1.0)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--record-points", type=int, default=10)
    parser.add_argument("--alpha", type=float, default=2.0)
    parser.add_argument("--beta", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=0)
    print(json.dumps(run(parser.parse_args())))
