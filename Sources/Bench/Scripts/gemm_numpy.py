"""NumPy's float32 matmul throughput, the reference of `manifold bench gemm`.

Usage: python3 gemm_numpy.py MxKxN...   (set OPENBLAS_NUM_THREADS for the thread count)
Prints `gflops VALUE` per shape, best of at least 5 repetitions and 0.2 s, after two warm-up products;
`error MESSAGE` (exit status 0) when NumPy is missing.
"""
import sys, time
try:
    import numpy as np
except Exception as e:
    print("error numpy unavailable: %s" % e); sys.exit(0)
rng = np.random.default_rng(1)
for spec in sys.argv[1:]:
    m, k, n = map(int, spec.split("x"))
    a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
    a @ b; a @ b
    best = float("inf"); total = 0.0; reps = 0
    while total < 0.2 or reps < 5:
        t = time.perf_counter(); a @ b; dt = time.perf_counter() - t
        best = min(best, dt); total += dt; reps += 1
    print("gflops %r" % (2.0 * m * n * k / best / 1e9), flush=True)
