#!/usr/bin/env python3
"""Checks that two ScaleSweep results files hold the same results, bit for bit.

    same-results.py REFERENCE CANDIDATE

Compares /steps, /loss/test, /loss/train and every /cells column except
seconds, rank and checksum (the checksum covers those two, so it differs
whenever the ranks or the timings do), and requires every cell of CANDIDATE
to be done. Prints "equal in N datasets" and exits 0, or names the first
dataset that differs and exits 1. Used by the multi-host and Slurm tests.
"""
import sys

import h5py

reference, candidate = sys.argv[1:3]
a, b = h5py.File(reference, "r"), h5py.File(candidate, "r")
if not (b["cells/status"][()] == 1).all():
    sys.exit(f"{candidate}: not every cell is done")
names = ["steps", "loss/test", "loss/train"] + [
    "cells/" + k for k in a["cells"] if k not in ("seconds", "rank", "checksum")
]
for name in names:
    x, y = a[name][()], b[name][()]
    if not (x.shape == y.shape and x.dtype == y.dtype and x.tobytes() == y.tobytes()):
        sys.exit(f"{candidate}: /{name} differs from {reference}")
print(f"equal in {len(names)} datasets")
