#!/usr/bin/env python3
"""A small but real trainer for ScaleSweep's `command` model kind (NumPy only).

Random-feature regression on a power-law task, the lazy limit of the paper's
model 1: inputs x = Lambda^(1/2) z with lambda_k = k^-alpha over M features,
target y = w* . x with lambda_k w*_k^2 = k^-(alpha beta + 1), network
f(x) = N^-1/2 w . (A x) with a fixed Gaussian projection A (N x M) and a
trained readout w (SGD on the squared error, fresh batches every step).
The test loss is exact: L = (v - w*)^T Lambda (v - w*) with v = N^-1/2 A^T w.

Deterministic given its seed (and width: the projection and the batches come
from one generator seeded by (seed, width)). It speaks ScaleSweep's protocol:
one JSON line per record step on stdout, {"step", "test_loss", "train_loss",
"flops"}; it checkpoints into --checkpoint-dir at every record step (and on
SIGTERM) and resumes from there, re-reporting the steps it had reported.
"""
import argparse
import json
import math
import os
import signal
import sys

import numpy as np

FEATURES = 128


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--width", type=int, required=True)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=0.5)
    p.add_argument("--task", default='{"alpha": 1.5, "beta": 0.5}',
                   help="task object as JSON: alpha, beta")
    p.add_argument("--record-steps", default=os.environ.get("SCALESWEEP_RECORD_STEPS", ""))
    p.add_argument("--checkpoint-dir", default=os.environ.get("SCALESWEEP_CHECKPOINT_DIR"))
    return p.parse_args()


def report(step, test, train, flops):
    # json.dumps writes NaN / Infinity for non-finite floats; ScaleSweep
    # reads them as a diverged cell.
    print(json.dumps({"step": step, "test_loss": test, "train_loss": train, "flops": flops}),
          flush=True)


def main():
    args = parse_args()
    task = json.loads(args.task)
    alpha, beta = float(task["alpha"]), float(task["beta"])
    n, m, b = args.width, FEATURES, args.batch
    records = sorted({int(s) for s in args.record_steps.split(",") if s}) or [args.steps]

    k = np.arange(1, m + 1, dtype=np.float64)
    lam = k ** -alpha
    w_star = np.sqrt(k ** -(alpha * beta + 1) / lam)
    rng = np.random.default_rng([args.seed, n])
    proj = rng.standard_normal((n, m)) / math.sqrt(n)  # N^-1/2 A
    w = np.zeros(n)
    flops_per_step = 2 * b * n * m + 4 * b * n  # projection, readout and its gradient

    start, reported, loss_sum, loss_count = 0, [], 0.0, 0
    ckpt = os.path.join(args.checkpoint_dir, "state.npz") if args.checkpoint_dir else None
    if ckpt and os.path.exists(ckpt):
        state = np.load(ckpt, allow_pickle=False)
        start = int(state["step"])
        w = state["w"]
        rng.bit_generator.state = json.loads(str(state["rng"]))
        reported = [tuple(r) for r in state["reported"].tolist()]
        loss_sum, loss_count = float(state["loss_sum"]), int(state["loss_count"])
        for step, test, train in reported:
            report(int(step), test, train, flops_per_step * int(step))

    def save(step):
        if not ckpt:
            return
        tmp = ckpt + ".tmp.npz"
        np.savez(tmp, step=step, w=w, rng=json.dumps(rng.bit_generator.state),
                 reported=np.array(reported, dtype=np.float64).reshape(-1, 3),
                 loss_sum=loss_sum, loss_count=loss_count)
        os.replace(tmp, ckpt)

    current = {"step": start}

    def on_term(signum, frame):
        save(current["step"])
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_term)

    sqrt_lam = np.sqrt(lam)
    for step in range(start + 1, args.steps + 1):
        x = rng.standard_normal((b, m)) * sqrt_lam
        y = x @ w_star
        h = x @ proj.T
        r = h @ w - y
        loss_sum += float(r @ r) / b
        loss_count += 1
        w -= args.lr * (h.T @ r) / b
        current["step"] = step
        if step in records:
            v = proj.T @ w - w_star
            test = float(v @ (lam * v))
            train = loss_sum / loss_count
            loss_sum, loss_count = 0.0, 0
            reported.append((step, test, train))
            report(step, test, train, flops_per_step * step)
            if not math.isfinite(test):
                return 0  # ScaleSweep stops a diverged cell; no need to go on
            save(step)
    return 0


if __name__ == "__main__":
    sys.exit(main())
