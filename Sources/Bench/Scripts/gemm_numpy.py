"""NumPy's or PyTorch's float32 matmul throughput, the references of `manifold bench gemm`.

Usage: python3 gemm_numpy.py numpy|torch THREADS MxKxN...
(numpy's thread count comes from OPENBLAS_NUM_THREADS, which the benchmark sets; torch's from
torch.set_num_threads(THREADS)). Prints `gflops VALUE` per shape, best of at least 5 repetitions and
0.2 s, after two warm-up products; `error MESSAGE` (exit status 0) when the library is missing.
"""
import sys, time
library, threads = sys.argv[1], int(sys.argv[2])
# Both runs draw their matrices with numpy: without it, numpy is what is unavailable.
for name in ["numpy"] + (["torch"] if library == "torch" else []):
    try:
        __import__(name)
    except Exception as e:
        print("error %s unavailable: %s" % (name, e)); sys.exit(0)
import numpy as np
if library == "torch":
    import torch
    torch.set_num_threads(threads)
rng = np.random.default_rng(1)
for spec in sys.argv[3:]:
    m, k, n = map(int, spec.split("x"))
    a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
    if library == "torch":
        a, b = torch.from_numpy(a), torch.from_numpy(b)
    a @ b; a @ b
    best = float("inf"); total = 0.0; reps = 0
    while total < 0.2 or reps < 5:
        t = time.perf_counter(); a @ b; dt = time.perf_counter() - t
        best = min(best, dt); total += dt; reps += 1
    print("gflops %r" % (2.0 * m * n * k / best / 1e9), flush=True)
