"""What NumPy's own BLAS does on this machine: the kernel table its bundled
OpenBLAS loaded and single-core float32 matmul 1024^3 (best of 5 after a
warm-up), for the yardstick comparison in bench/peers/run.sh.

Prints one JSON line: {"impl": "numpy", "numpy": version, "kernel": name,
"sgemm_gflops": rate}. Run it single-threaded (run.sh sets the environment).
"""

import ctypes
import glob
import json
import os
import time

import numpy as np


def kernel_name():
    """openblas_get_corename() of the OpenBLAS inside the NumPy wheel."""
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "*openblas*"))
    for path in libs:
        lib = ctypes.CDLL(path)
        for symbol in ("scipy_openblas_get_corename64_", "openblas_get_corename64_", "openblas_get_corename"):
            function = getattr(lib, symbol, None)
            if function is not None:
                function.restype = ctypes.c_char_p
                return function().decode()
    return "unknown"


def sgemm_gflops(size=1024, repeats=5):
    a = (np.arange(size * size) % 7 * 0.1).astype(np.float32).reshape(size, size)
    b = (np.arange(size * size) % 5 * 0.1).astype(np.float32).reshape(size, size)
    c = np.empty_like(a)
    best = float("inf")
    for run in range(repeats + 1):
        start = time.perf_counter()
        np.matmul(a, b, out=c)
        elapsed = time.perf_counter() - start
        if run > 0:
            best = min(best, elapsed)
    return 2 * size**3 / best / 1e9


if __name__ == "__main__":
    print(json.dumps({"impl": "numpy", "numpy": np.__version__, "kernel": kernel_name(),
                      "sgemm_gflops": sgemm_gflops()}))
