import Bench
import TensorCore

/// `manifold bench gemm`: GEMM throughput at one thread and at `threads` (default: all cores),
/// optionally beside NumPy's float32 matmul measured in the same run.
/// - Returns: the process exit status.
func runGEMMBenchmarkCommand(threads: Int?, json: Bool, compareNumPy: Bool) -> Int32 {
    let all = threads ?? ComputeThreads.count
    let counts = all > 1 ? [1, all] : [1]
    let report = GEMMBenchmark.run(threadCounts: counts, compareNumPy: compareNumPy)
    print(json ? report.json : report.text)
    return 0
}
