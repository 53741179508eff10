import Base
import Foundation
import TensorCore

/// One measured GEMM shape at one thread count: each side's median over the alternating rounds of its
/// best-of-several throughput in that round.
public struct GEMMBenchmarkResult: Sendable {
    public let m: Int
    public let k: Int
    public let n: Int
    public let threads: Int
    /// Manifold's GFLOP/s.
    public let gflops: Double
    /// NumPy's float32 matmul on the same shape and thread count, when measured.
    public let numpyGFlops: Double?
    /// PyTorch's float32 matmul (MKL or oneDNN), when a python with torch was given.
    public var torchGFlops: Double? = nil
    /// `gflops / numpyGFlops`, when NumPy was measured.
    public var ratio: Double? { numpyGFlops.map { gflops / $0 } }
    /// `gflops` over the faster of NumPy and PyTorch (the issue's target: at least 1.0), when either ran.
    public var ratioToFastest: Double? {
        let fastest = [numpyGFlops, torchGFlops].compactMap { $0 }.max()
        return fastest.map { gflops / $0 }
    }
}

/// The results of `GEMMBenchmark.run`, as JSON and as a table.
public struct GEMMBenchmarkReport: Sendable {
    public let results: [GEMMBenchmarkResult]
    /// Why NumPy was not measured, when it was asked for and is unavailable.
    public let numpyNote: String?
    /// Why PyTorch was not measured, when it was asked for and is unavailable.
    public var torchNote: String? = nil
    public var rounds = 1

    /// `{"rounds":..,"gemm":[{"m":..,"k":..,"n":..,"threads":..,"gflops":..,"numpy_gflops":..,"ratio":..,
    /// "torch_gflops":..,"ratio_to_fastest":..}, ...],"numpy_note":..,"torch_note":..}`: a reference's
    /// figures only where it was measured, and its note (why not) where it was asked for and was not.
    public var json: String {
        let rows = results.map { r -> JSONValue in
            var fields: [String: JSONValue] = [
                "m": .integer(r.m), "k": .integer(r.k), "n": .integer(r.n), "threads": .integer(r.threads),
                "gflops": .number(Self.rounded(r.gflops)),
            ]
            if let numpy = r.numpyGFlops, let ratio = r.ratio {
                fields["numpy_gflops"] = .number(Self.rounded(numpy))
                fields["ratio"] = .number(Self.rounded(ratio, digits: 3))
            }
            if let torch = r.torchGFlops { fields["torch_gflops"] = .number(Self.rounded(torch)) }
            if let fastest = r.ratioToFastest { fields["ratio_to_fastest"] = .number(Self.rounded(fastest, digits: 3)) }
            return .object(fields)
        }
        var object: [String: JSONValue] = ["rounds": .integer(rounds), "gemm": .array(rows)]
        if let numpyNote { object["numpy_note"] = .string(numpyNote) }
        if let torchNote { object["torch_note"] = .string(torchNote) }
        return JSONValue.object(object).serialized()
    }

    /// A readable table, one line per shape and thread count.
    public var text: String {
        var lines = [
            "GEMM (float32, row-major; medians of \(counted(rounds, "alternating round")))",
            "      m     k     n  threads  manifold GFLOP/s  numpy GFLOP/s  pytorch GFLOP/s  vs fastest",
        ]
        for r in results {
            let numpy = r.numpyGFlops.map { Self.format($0) } ?? "-"
            let torch = r.torchGFlops.map { Self.format($0) } ?? "-"
            let ratio = r.ratioToFastest.map { Self.format($0, digits: 2) } ?? "-"
            lines.append(
                Self.pad(r.m, 7) + Self.pad(r.k, 6) + Self.pad(r.n, 6) + Self.pad(r.threads, 9)
                    + Self.pad(Self.format(r.gflops), 18) + Self.pad(numpy, 15) + Self.pad(torch, 17)
                    + Self.pad(ratio, 12))
        }
        if let numpyNote { lines.append("numpy: \(numpyNote)") }
        if let torchNote { lines.append("pytorch: \(torchNote)") }
        return lines.joined(separator: "\n")
    }

    /// `value` rounded to `digits` decimals, as the table prints it.
    static func rounded(_ value: Double, digits: Int = 1) -> Double {
        let scale = pow(10, Double(digits))
        return (value * scale).rounded() / scale
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
/// (OpenBLAS) and PyTorch (MKL or oneDNN) through `Scripts/gemm_numpy.py`, in alternating rounds.
public enum GEMMBenchmark {
    /// (m, k, n): MLP layers 784-400 at batch 128 forward and backward, and square products.
    public static let shapes: [(m: Int, k: Int, n: Int)] = [
        (128, 784, 400), (128, 400, 784), (784, 128, 400), (128, 1024, 1024), (1024, 1024, 1024),
    ]

    /// Runs every shape at every thread count, `rounds` rounds of at least 0.2 s per shape, each side's
    /// median over the rounds; with `compareNumPy` also NumPy's float32 matmul (`python3`), and with
    /// `torchPython` PyTorch's in that python, in alternating rounds.
    public static func run(
        threadCounts: [Int], compareNumPy: Bool, torchPython: String? = nil, rounds: Int = 3
    ) -> GEMMBenchmarkReport {
        var results: [GEMMBenchmarkResult] = []
        var note: String? = nil
        var torchNote: String? = nil
        for threads in threadCounts {
            // Rounds alternate Manifold, NumPy and PyTorch so that all meet the same load from other
            // processes.
            var ours = [[Double]](repeating: [], count: shapes.count)
            var numpy: [[Double]]? = nil
            var torch: [[Double]]? = nil
            for _ in 0..<max(1, rounds) {
                for (index, shape) in shapes.enumerated() {
                    ours[index].append(measure(m: shape.m, k: shape.k, n: shape.n, threads: threads))
                }
                if compareNumPy && note == nil {
                    switch referenceGFlops(threads: threads, python: "python3", library: "numpy") {
                    case .success(let values):
                        numpy = zip(numpy ?? values.map { _ in [] }, values).map { $0 + [$1] }
                    case .failure(let error):
                        note = error.description
                        numpy = nil
                    }
                }
                if let torchPython, torchNote == nil {
                    switch referenceGFlops(threads: threads, python: torchPython, library: "torch") {
                    case .success(let values):
                        torch = zip(torch ?? values.map { _ in [] }, values).map { $0 + [$1] }
                    case .failure(let error):
                        torchNote = error.description
                        torch = nil
                    }
                }
            }
            for (index, shape) in shapes.enumerated() {
                var result = GEMMBenchmarkResult(
                    m: shape.m, k: shape.k, n: shape.n, threads: threads, gflops: median(ours[index]),
                    numpyGFlops: numpy.map { median($0[index]) })
                result.torchGFlops = torch.map { median($0[index]) }
                results.append(result)
            }
        }
        var report = GEMMBenchmarkReport(results: results, numpyNote: note)
        report.torchNote = torchNote
        report.rounds = max(1, rounds)
        return report
    }

    /// The median of `values` (NaN for none), as both `bench gemm` and `bench models` report it.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Best-of-several GFLOP/s of `GEMM.multiply` (warmed up, at least 0.2 s of repetitions).
    static func measure(
        m: Int, k: Int, n: Int, threads: Int, transA: Bool = false, transB: Bool = false,
        minimumSeconds: Double = 0.2
    ) -> Double {
        var rng = RandomGenerator(seed: 1)
        // Aligned to cache lines as a tensor's storage is (and PyTorch's): the models' operands are.
        func matrix(_ count: Int) -> UnsafeMutablePointer<Float> {
            UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
                .bindMemory(to: Float.self, capacity: count)
        }
        let a = matrix(m * k)
        let b = matrix(k * n)
        let c = matrix(m * n)
        defer {
            UnsafeMutableRawPointer(a).deallocate()
            UnsafeMutableRawPointer(b).deallocate()
            UnsafeMutableRawPointer(c).deallocate()
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

    /// NumPy's or PyTorch's (`library`) GFLOP/s on `shapes` with `threads` threads. OPENBLAS_CORETYPE
    /// and OPENBLAS_L2_SIZE are removed from its environment: they can force a slower kernel.
    static func referenceGFlops(threads: Int, python: String, library: String) -> Result<
        [Double], PythonReference.Failure
    > {
        var environment = PythonReference.environment(threads: threads)
        environment["OPENBLAS_CORETYPE"] = nil
        environment["OPENBLAS_L2_SIZE"] = nil
        let lines: [String]
        switch PythonReference.run(
            python: python, script: "gemm_numpy.py",
            arguments: [library, String(threads)] + shapes.map { "\($0.m)x\($0.k)x\($0.n)" }, environment: environment)
        {
        case .success(let printed): lines = printed
        case .failure(let failure): return .failure(failure)
        }
        let values = lines.compactMap { line -> Double? in
            line.hasPrefix("gflops ") ? Double(line.dropFirst(7)) : nil
        }
        guard values.count == shapes.count else {
            return .failure(
                PythonReference.Failure(description: "\(python) printed \(values.count) of \(shapes.count) results"))
        }
        if let bad = values.first(where: { !($0.isFinite && $0 > 0) }) {
            return .failure(
                PythonReference.Failure(
                    description: "\(python) printed a GFLOP/s that is not a positive number: \(bad)"))
        }
        return .success(values)
    }
}
