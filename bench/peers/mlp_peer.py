"""The model-2 cell of ScaleSweep (mlp-circle) written in NumPy and in JAX.

Same maths as Sources/Training/MLPCircleNetwork.swift: ReLU MLP with biases,
mean-field / muP parametrisation with richness gamma0, centred output
f - f_init (the frozen initial network's forward pass on every batch), online
SGD on fresh uniform angles, float32 network, target
y = sum_k a_k cos(k theta) + b_k sin(k theta) with K modes (float64, as
ScaleSweep). Prints one JSON line: {"impl", "width", "batch", "depth",
"steps", "steps_per_second"}. Timing excludes set-up and (JAX) compilation.

Usage: python mlp_peer.py {numpy,jax} --width N --batch B --depth D --seconds S
       python mlp_peer.py {numpy,jax} --width N ... --cell STEPS --records R --test-points P
The second form times a whole cell: set-up (initialisation, target, the test
grid's targets and initial outputs, computed once as ScaleSweep does), STEPS
steps and R evaluations of the test loss on P grid points at steps spaced
evenly in log. For JAX the steps between records run in one jitted
fori_loop; compilation is excluded (the cell runs once to compile, then is
timed on a fresh start with the same shapes; parameter initialisation is
not timed), which favours JAX.
Run it single-threaded (bench/peers/run.sh sets the environment).
"""

import argparse
import json
import math
import time


def target_coefficients(q, modes, rng):
    import numpy as np

    k = np.arange(1, modes + 1, dtype=np.float64)
    s = math.sqrt(2.0 / np.sum(k ** (-2 * q)))
    phase = rng.uniform(0, 2 * math.pi, modes)
    amp = s * k ** (-q)
    return k, amp * np.cos(k * phase), amp * np.sin(k * phase)


def init_params(width, depth, rng):
    import numpy as np

    n = width
    params = [rng.standard_normal((n, 3)).astype(np.float32)]  # [W0 | b0]
    for _ in range(depth - 2):
        params.append(rng.standard_normal((n, n)).astype(np.float32))
        params.append(rng.standard_normal(n).astype(np.float32))
    params.append(rng.standard_normal(n).astype(np.float32))  # readout w
    return params


def run_numpy(args):
    import numpy as np

    started = time.perf_counter()
    rng = np.random.default_rng(0)
    n, b, depth = args.width, args.batch, args.depth
    ks, ca, sb = target_coefficients(1.0, args.modes, rng)
    params = init_params(n, depth, rng)
    initial = [p.copy() for p in params]
    gamma0 = np.float32(1.0)
    eta = np.float32(1e-3 * gamma0 * gamma0 * n)
    hs = np.float32(1 / math.sqrt(n))
    rs = np.float32(1 / (gamma0 * n))

    def forward(ps, x):
        acts = []
        a = np.maximum(x @ ps[0].T, 0)
        acts.append(a)
        for l in range(depth - 2):
            a = np.maximum((a @ ps[1 + 2 * l].T) * hs + ps[2 + 2 * l], 0)
            acts.append(a)
        return acts, (a @ ps[-1]) * rs

    def step():
        theta = rng.uniform(0, 2 * math.pi, b)
        kt = np.outer(theta, ks)
        y = np.cos(kt) @ ca + np.sin(kt) @ sb
        x = np.stack([np.cos(theta), np.sin(theta), np.ones(b)], axis=1).astype(np.float32)
        _, f0 = forward(initial, x)
        acts, f = forward(params, x)
        r = ((f.astype(np.float64) - f0 - y) / b).astype(np.float32)
        w = params[-1]
        delta = np.outer(r, w * rs) * (acts[-1] > 0)
        params[-1] -= eta * rs * (acts[-1].T @ r)
        for l in range(depth - 2, 0, -1):
            weights = params[2 * l - 1]
            below = acts[l - 1]
            new_delta = (delta @ weights) * hs * (below > 0)
            weights -= (eta * hs) * (delta.T @ below)
            params[2 * l] -= eta * delta.sum(axis=0)
            delta = new_delta
        params[0] -= eta * (delta.T @ x)

    if args.cell:
        return numpy_cell(args, forward, step, initial, params, ks, ca, sb, started)
    return timed(step, args.seconds, lambda: None)


def record_steps(budget, points):
    """Steps 1..budget spaced evenly in log (distinct, ascending)."""
    if points <= 1:
        return [budget]
    steps = {int(round(math.exp(i * math.log(budget) / (points - 1)))) for i in range(points)}
    return sorted(min(max(s, 1), budget) for s in steps)


def test_grid(points, ks, ca, sb):
    import numpy as np

    theta = 2 * math.pi * np.arange(points) / points
    kt = np.outer(theta, ks)
    y = np.cos(kt) @ ca + np.sin(kt) @ sb
    x = np.stack([np.cos(theta), np.sin(theta), np.ones(points)], axis=1).astype(np.float32)
    return x, y


def numpy_cell(args, forward, step, initial, params, ks, ca, sb, start):
    """Finishes timing a whole cell begun at `start` (set-up included)."""
    import numpy as np

    x, y = test_grid(args.test_points, ks, ca, sb)
    f0 = forward(initial, x)[1].astype(np.float64)
    records = record_steps(args.cell, args.records)
    done = 0
    for r in records:
        for _ in range(r - done):
            step()
        done = r
        f = forward(params, x)[1].astype(np.float64)
        float(np.mean((f - f0 - y) ** 2))
    elapsed = time.perf_counter() - start
    return args.cell, args.cell / elapsed


def run_jax(args):
    import jax
    import jax.numpy as jnp
    import numpy as np

    rng = np.random.default_rng(0)
    n, b, depth = args.width, args.batch, args.depth
    ks, ca, sb = target_coefficients(1.0, args.modes, rng)
    ks, ca, sb = (jnp.asarray(v, dtype=jnp.float32) for v in (ks, ca, sb))
    params = [jnp.asarray(p) for p in init_params(n, depth, rng)]
    initial = [jnp.asarray(p) for p in params]
    gamma0 = 1.0
    eta = 1e-3 * gamma0 * gamma0 * n
    hs = 1 / math.sqrt(n)
    rs = 1 / (gamma0 * n)

    def forward(ps, x):
        a = jax.nn.relu(x @ ps[0].T)
        for l in range(depth - 2):
            a = jax.nn.relu((a @ ps[1 + 2 * l].T) * hs + ps[2 + 2 * l])
        return (a @ ps[-1]) * rs

    def loss(ps, x, y, f0):
        return 0.5 * jnp.mean((forward(ps, x) - f0 - y) ** 2)

    @jax.jit
    def step(ps, key):
        key, sub = jax.random.split(key)
        theta = jax.random.uniform(sub, (b,), minval=0, maxval=2 * math.pi)
        kt = jnp.outer(theta, ks)
        y = jnp.cos(kt) @ ca + jnp.sin(kt) @ sb
        x = jnp.stack([jnp.cos(theta), jnp.sin(theta), jnp.ones(b)], axis=1)
        f0 = forward(initial, x)
        g = jax.grad(loss)(ps, x, y, f0)
        return [p - eta * gp for p, gp in zip(ps, g)], key

    if args.cell:
        return jax_cell(args, jax, jnp, forward, step, params, initial, ks, ca, sb, np)

    state = {"ps": params, "key": jax.random.PRNGKey(0)}

    def one():
        state["ps"], state["key"] = step(state["ps"], state["key"])

    def sync():
        state["ps"][-1].block_until_ready()

    one()
    sync()  # compile
    return timed(one, args.seconds, sync)


def jax_cell(args, jax, jnp, forward, step, params, initial, ks, ca, sb, np):
    @jax.jit
    def steps(ps, key, count):
        return jax.lax.fori_loop(0, count, lambda _, state: step(*state), (ps, key))

    @jax.jit
    def test_loss(ps, x, y, f0):
        return jnp.mean((forward(ps, x) - f0 - y) ** 2)

    def cell():
        x, y = test_grid(args.test_points, np.asarray(ks, dtype=np.float64),
                         np.asarray(ca, dtype=np.float64), np.asarray(sb, dtype=np.float64))
        x, y = jnp.asarray(x), jnp.asarray(y, dtype=jnp.float32)
        f0 = forward(initial, x)
        state = (list(params), jax.random.PRNGKey(0))
        done = 0
        for r in record_steps(args.cell, args.records):
            state = steps(state[0], state[1], r - done)
            done = r
            float(test_loss(state[0], x, y, f0))

    cell()  # compile
    start = time.perf_counter()
    cell()
    elapsed = time.perf_counter() - start
    return args.cell, args.cell / elapsed


def timed(step, seconds, sync):
    step()
    sync()
    count = 0
    start = time.perf_counter()
    while True:
        for _ in range(5):
            step()
        count += 5
        sync()
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count, count / elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("impl", choices=["numpy", "jax"])
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--modes", type=int, default=512)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--cell", type=int, default=0, help="time a whole cell of this many steps")
    parser.add_argument("--records", type=int, default=10)
    parser.add_argument("--test-points", type=int, default=4096)
    args = parser.parse_args()
    steps, rate = (run_numpy if args.impl == "numpy" else run_jax)(args)
    print(json.dumps({"impl": args.impl, "width": args.width, "batch": args.batch,
                      "depth": args.depth, "steps": steps, "steps_per_second": rate}))


if __name__ == "__main__":
    main()
