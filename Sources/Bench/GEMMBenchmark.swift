import Foundation
import TensorCore

/// One measured GEMM shape at one thread count.
public struct GEMMBenchmarkResult: Sendable {
    public let m: Int
    public let k: Int
    public let n: Int
    public let threads: Int
    /// Manifold's best-of-several throughput.
    public let gflops: Double
    /// NumPy's float32 matmul on the same shape and thread count, when measured.
    public let numpyGFlops: Double?
    /// `gflops / numpyGFlops`, when NumPy was measured.
    public var ratio: Double? { numpyGFlops.map { gflops / $0 } }
}

/// The results of `GEMMBenchmark.run`, as JSON and as a table.
public struct GEMMBenchmarkReport: Sendable {
    public let results: [GEMMBenchmarkResult]
    /// Why NumPy was not measured, when it was asked for and is unavailable.
    public let numpyNote: String?

    /// `{"gemm":[{"m":..,"k":..,"n":..,"threads":..,"gflops":..,"numpy_gflops":..,"ratio":..}, ...]}`
    public var json: String {
        let rows = results.map { r -> String in
            var fields =
                "\"m\":\(r.m),\"k\":\(r.k),\"n\":\(r.n),\"threads\":\(r.threads),\"gflops\":\(Self.format(r.gflops))"
            if let numpy = r.numpyGFlops, let ratio = r.ratio {
                fields +=
                    ",\"numpy_gflops\":\(Self.format(numpy)),\"ratio\":\(Self.format(ratio, digits: 3))"
            }
            return "{" + fields + "}"
        }
        return "{\"gemm\":[" + rows.joined(separator: ",") + "]}"
    }

    /// A readable table, one line per shape and thread count.
    public var text: String {
        var lines = [
            "GEMM (float32, row-major)   m     k     n  threads  manifold GFLOP/s  numpy GFLOP/s  ratio"
        ]
        for r in results {
            let numpy = r.numpyGFlops.map { Self.format($0) } ?? "-"
            let ratio = r.ratio.map { Self.format($0, digits: 2) } ?? "-"
            lines.append(
                "                      " + Self.pad(r.m, 7) + Self.pad(r.k, 6) + Self.pad(r.n, 6)
                    + Self.pad(r.threads, 9) + Self.pad(Self.format(r.gflops), 18)
                    + Self.pad(numpy, 15) + Self.pad(ratio, 7))
        }
        if let numpyNote { lines.append("numpy: \(numpyNote)") }
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double, digits: Int = 1) -> String {
        String(format: "%.\(digits)f", value)
    }
    static func pad(_ value: Any, _ width: Int) -> String {
        let text = "\(value)"
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// Measures `GEMM.multiply` on the shapes of Manifold's models, optionally beside NumPy
/// (OpenBLAS, `Scripts/gemm_numpy.py`) in the same run.
public enum GEMMBenchmark {
    /// (m, k, n): MLP layers 784-400 at batch 128 forward and backward, and square products.
    public static let shapes: [(m: Int, k: Int, n: Int)] = [
        (128, 784, 400), (128, 400, 784), (784, 128, 400), (128, 1024, 1024), (1024, 1024, 1024),
    ]

    /// Runs every shape at every thread count, best of `rounds` rounds of at least 0.2 s per shape;
    /// with `compareNumPy`, also NumPy's float32 matmul, in alternating rounds.
    public static func run(threadCounts: [Int], compareNumPy: Bool, rounds: Int = 3) -> GEMMBenchmarkReport {
        var results: [GEMMBenchmarkResult] = []
        var note: String? = nil
        for threads in threadCounts {
            // Rounds alternate Manifold and NumPy so that both meet the same load from other
            // processes; each side keeps its best round.
            var ours = [Double](repeating: 0, count: shapes.count)
            var numpy: [Double]? = nil
            for _ in 0..<max(1, rounds) {
                for (index, shape) in shapes.enumerated() {
                    ours[index] = max(ours[index], measure(m: shape.m, k: shape.k, n: shape.n, threads: threads))
                }
                guard compareNumPy && note == nil else { continue }
                switch numpyGFlops(threads: threads) {
                case .success(let values):
                    numpy = zip(numpy ?? values, values).map { max($0, $1) }
                case .failure(let error):
                    note = error.description
                    numpy = nil
                }
            }
            for (index, shape) in shapes.enumerated() {
                results.append(
                    GEMMBenchmarkResult(
                        m: shape.m, k: shape.k, n: shape.n, threads: threads, gflops: ours[index],
                        numpyGFlops: numpy?[index]))
            }
        }
        return GEMMBenchmarkReport(results: results, numpyNote: note)
    }

    /// Best-of-several GFLOP/s of `GEMM.multiply` (warmed up, at least 0.2 s of repetitions).
    static func measure(
        m: Int, k: Int, n: Int, threads: Int, transA: Bool = false, transB: Bool = false,
        minimumSeconds: Double = 0.2
    ) -> Double {
        var rng = RandomGenerator(seed: 1)
        let a = UnsafeMutablePointer<Float>.allocate(capacity: m * k)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer {
            a.deallocate()
            b.deallocate()
            c.deallocate()
        }
        for i in 0..<m * k { a[i] = rng.uniform(-1, 1) }
        for i in 0..<k * n { b[i] = rng.uniform(-1, 1) }
        c.initialize(repeating: 0, count: m * n)
        func once() {
            GEMM.multiply(
                m: m, n: n, k: k, a: a, lda: transA ? m : k, transA: transA, b: b, ldb: transB ? k : n, transB: transB,
                c: c, ldc: n,
                alpha: 1, beta: 0, threads: threads)
        }
        once()
        once()
        var best = Double.infinity
        var total = 0.0
        var repetitions = 0
        while total < minimumSeconds || repetitions < 5 {
            let start = DispatchTime.now().uptimeNanoseconds
            once()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            best = min(best, seconds)
            total += seconds
            repetitions += 1
        }
        return 2 * Double(m) * Double(n) * Double(k) / best / 1e9
    }

    /// NumPy's GFLOP/s on `shapes` with OpenBLAS limited to `threads` threads. OPENBLAS_CORETYPE
    /// and OPENBLAS_L2_SIZE are removed from its environment: they can force a slower kernel.
    static func numpyGFlops(threads: Int) -> Result<[Double], PythonReference.Failure> {
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = nil
        environment["OPENBLAS_L2_SIZE"] = nil
        for name in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] {
            environment[name] = String(threads)
        }
        let lines: [String]
        switch PythonReference.run(
            script: "gemm_numpy.py", arguments: shapes.map { "\($0.m)x\($0.k)x\($0.n)" }, environment: environment)
        {
        case .success(let printed): lines = printed
        case .failure(let failure): return .failure(failure)
        }
        let values = lines.compactMap { line -> Double? in
            line.hasPrefix("gflops ") ? Double(line.dropFirst(7)) : nil
        }
        guard values.count == shapes.count else {
            return .failure(
                PythonReference.Failure(description: "python3 printed \(values.count) of \(shapes.count) results"))
        }
        return .success(values)
    }
}
