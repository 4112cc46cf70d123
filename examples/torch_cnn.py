#!/usr/bin/env python3
"""A small CNN on a user-supplied image set, as one ScaleSweep cell (PyTorch).

The paper's vision experiment (CNNs on CIFAR-5M / MNIST-1M): train a CNN of
channel width N with SGD for a step budget, on P samples or online (every
batch fresh, never repeated), and report the test loss along the way.

Data: .npz files with arrays X (n, H, W, C) uint8 and Y (n,) integer labels,
the layout CIFAR-5M ships in (MNIST-1M: add a channel axis). --train is read
in order: online cells take consecutive batches, finite cells the first P
samples in a seeded random order per epoch. --test is evaluated on its first
--test-samples images at every record step.

Richness: with --gamma > 0 the network is in the mean-field / muP
parametrisation of the paper, f = readout(h) / (gamma0 sqrt(N)) with the
learning rate scaled by gamma0^2 N; --gamma 0 is the standard parametrisation.

Protocol: one JSON line per record step on stdout ({"step", "test_loss",
"train_loss", "flops"}; test_loss is the cross-entropy on the test images);
checkpoints into --checkpoint-dir at every record step and on SIGTERM, and
resumes from there. Runs on the GPU ScaleSweep assigns (CUDA_VISIBLE_DEVICES,
devices_per_rank > 0), else on the CPU with OMP_NUM_THREADS threads.
"""
import argparse
import functools
import json
import math
import os
import signal
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--train", required=True, help=".npz with X (n,H,W,C) uint8 and Y (n,)")
    p.add_argument("--test", required=True, help=".npz with X and Y, for the test loss")
    p.add_argument("--width", type=int, required=True, help="channels of the first layer")
    p.add_argument("--data", default="online", help="'online' or the number of samples P")
    p.add_argument("--gamma", type=float, default=0.0)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--test-samples", type=int, default=10000)
    p.add_argument("--record-steps", default=os.environ.get("SCALESWEEP_RECORD_STEPS", ""))
    p.add_argument("--checkpoint-dir", default=os.environ.get("SCALESWEEP_CHECKPOINT_DIR"))
    return p.parse_args()


class CNN(nn.Module):
    """Three 3x3 conv blocks (N, 2N, 4N channels; ReLU; 2x2 max-pool), global
    average pooling and a linear readout."""

    def __init__(self, channels, width, classes, gamma):
        super().__init__()
        self.convs = nn.ModuleList([
            nn.Conv2d(channels, width, 3, padding=1),
            nn.Conv2d(width, 2 * width, 3, padding=1),
            nn.Conv2d(2 * width, 4 * width, 3, padding=1),
        ])
        self.readout = nn.Linear(4 * width, classes)
        # Mean-field output scale 1 / (gamma0 sqrt(N)) (rich), or 1 (standard).
        self.scale = 1.0 / (gamma * math.sqrt(width)) if gamma > 0 else 1.0
        if gamma > 0:
            nn.init.normal_(self.readout.weight, std=1.0)
            nn.init.zeros_(self.readout.bias)

    def forward(self, x):
        for conv in self.convs:
            x = F.max_pool2d(F.relu(conv(x)), 2)
        return self.readout(x.mean(dim=(2, 3))) * self.scale


def step_flops(model, shape, batch):
    """Forward + backward FLOPs of one SGD step: 3 x (2 multiply-adds per
    weight use) over the conv layers at their resolutions, and the readout."""
    _, h, w = shape
    total = 0
    for conv in model.convs:
        total += 2 * conv.in_channels * conv.out_channels * 9 * h * w
        h, w = h // 2, w // 2
    total += 2 * model.readout.in_features * model.readout.out_features
    return 3 * total * batch


def load(path, limit=None):
    with np.load(path) as f:
        x, y = f["X"], f["Y"]
        if limit is not None:
            x, y = x[:limit], y[:limit]
        if x.ndim == 3:
            x = x[..., None]
        return np.ascontiguousarray(x), np.asarray(y, dtype=np.int64)


def to_tensor(x, device):
    return torch.from_numpy(x).to(device).permute(0, 3, 1, 2).float().div_(255.0).sub_(0.5)


def main():
    args = parse_args()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    online = args.data == "online"
    finite = None if online else int(args.data)
    train_x, train_y = load(args.train, None if online else finite)
    test_x, test_y = load(args.test, args.test_samples)
    classes = int(max(train_y.max(), test_y.max())) + 1
    shape = (train_x.shape[3], train_x.shape[1], train_x.shape[2])
    if online and args.steps * args.batch > len(train_x):
        print(f"note: {args.steps * args.batch} samples needed online, {len(train_x)} in "
              f"{args.train}: batches repeat after one pass", file=sys.stderr)

    model = CNN(shape[0], args.width, classes, args.gamma).to(device)
    lr = args.lr * (args.gamma ** 2 * args.width if args.gamma > 0 else 1.0)
    optimiser = torch.optim.SGD(model.parameters(), lr=lr)
    records = sorted({int(s) for s in args.record_steps.split(",") if s}) or [args.steps]
    flops_per_step = step_flops(model, shape, args.batch)
    test_inputs = to_tensor(test_x, device)
    test_labels = torch.from_numpy(test_y).to(device)

    start, reported, loss_sum, loss_count = 0, [], 0.0, 0
    ckpt = os.path.join(args.checkpoint_dir, "state.pt") if args.checkpoint_dir else None
    if ckpt and os.path.exists(ckpt):
        state = torch.load(ckpt, map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        optimiser.load_state_dict(state["optimiser"])
        start, reported = state["step"], state["reported"]
        loss_sum, loss_count = state["loss_sum"], state["loss_count"]
        torch.set_rng_state(state["torch_rng"])
        for line in reported:
            print(json.dumps(line), flush=True)

    def save(step):
        if ckpt:
            torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict(),
                        "step": step, "reported": reported, "loss_sum": loss_sum,
                        "loss_count": loss_count, "torch_rng": torch.get_rng_state()},
                       ckpt + ".tmp")
            os.replace(ckpt + ".tmp", ckpt)

    stop = {"requested": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(requested=True))

    @functools.lru_cache(maxsize=2)
    def epoch_order(epoch):
        return np.random.default_rng([args.seed, epoch]).permutation(len(train_x))

    def batch_indices(step):
        """The samples of `step`: a function of the step alone, so a resumed
        run sees the same batches."""
        first = (step - 1) * args.batch
        if online:
            return np.arange(first, first + args.batch) % len(train_x)
        return np.array([epoch_order(j // len(train_x))[j % len(train_x)]
                         for j in range(first, first + args.batch)])

    model.train()
    for step in range(start + 1, args.steps + 1):
        idx = batch_indices(step)
        inputs = to_tensor(train_x[idx], device)
        labels = torch.from_numpy(train_y[idx]).to(device)
        loss = F.cross_entropy(model(inputs), labels)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        loss_sum += loss.item()
        loss_count += 1
        if step in records:
            with torch.no_grad():
                model.eval()
                test = sum(F.cross_entropy(model(test_inputs[i:i + 1000]), test_labels[i:i + 1000],
                                           reduction="sum").item()
                           for i in range(0, len(test_inputs), 1000)) / len(test_inputs)
                model.train()
            line = {"step": step, "test_loss": test, "train_loss": loss_sum / loss_count,
                    "flops": flops_per_step * step}
            loss_sum, loss_count = 0.0, 0
            reported.append(line)
            print(json.dumps(line), flush=True)
            if not math.isfinite(test):
                return 0
            save(step)
        if stop["requested"]:
            save(step)
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
