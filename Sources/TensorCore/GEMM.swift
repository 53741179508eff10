import Dispatch

/// Single-precision general matrix multiply on row-major matrices.
///
/// `multiply` is a packed, cache-blocked GEMM in the style of Goto and van de Geijn ("Anatomy of
/// High-Performance Matrix Multiplication", ACM TOMS 2008) and BLIS (Van Zee and van de Geijn,
/// 2015): op(B) is packed one `[kc, nc]` block at a time into micro-panels 16, 32 or 48 columns
/// wide (kept in L2), op(A) one 8-row micro-panel at a time (kept in L1), and a register-tiled
/// SIMD16<Float> micro-kernel accumulates each 8x48 tile of C in 24 vector registers. Transposes
/// are absorbed by the packing; where an operand is not transposed the tiles may read it in place
/// (`GEMMPlan`). Threads each own a rectangle of C (`GEMMProblem`, blocked by `GEMMBlocking`).
/// `reference` is the plain triple loop, kept as the test oracle.
public enum GEMM {
    /// Row-major `C[m, n] = alpha * op(A)[m, k] * op(B)[k, n] + beta * C`.
    ///
    /// - Parameters:
    ///   - a: `A` stored `[m, k]` with leading dimension `lda`, or `[k, m]` when `transA`.
    ///   - b: `B` stored `[k, n]` with leading dimension `ldb`, or `[n, k]` when `transB`.
    ///   - c: `C` stored `[m, n]` with leading dimension `ldc`.
    ///   - beta: when 0, C's old contents are ignored (even NaN).
    ///   - threads: thread count; `nil` uses `ComputeThreads.count`. Small products run serially.
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0, threads: Int? = nil
    ) {
        multiply(
            m: m, n: n, k: k, a: a, lda: lda, transA: transA, b: b, ldb: ldb, transB: transB,
            c: c, ldc: ldc, alpha: alpha, beta: beta, threads: threads ?? ComputeThreads.count,
            blocking: GEMMBlocking())
    }

    /// The plain triple loop with double accumulation: the oracle for tests. Same contract as
    /// `multiply`.
    public static func reference(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transA ? a[p * lda + i] : a[i * lda + p]
                    let y = transB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(x) * Double(y)
                }
                let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                c[i * ldc + j] = Float(Double(alpha) * sum + old)
            }
        }
    }

    static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float, beta: Float, threads: Int, blocking: GEMMBlocking
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "GEMM: negative dimension")
        precondition(
            ldc >= n && lda >= (transA ? m : k) && ldb >= (transB ? k : n),
            "GEMM: leading dimension too small")
        if m == 0 || n == 0 { return }
        if k == 0 || alpha == 0 {
            scale(c, rows: m, cols: n, ldc: ldc, by: beta)
            return
        }
        let problem = GEMMProblem(
            m: m, n: n, k: k, a: a, lda: lda, transA: transA, b: b, ldb: ldb, transB: transB,
            c: c, ldc: ldc, alpha: alpha, beta: beta, blocking: blocking)
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        let wanted = flops < blocking.serialFlops ? 1 : max(1, threads)
        if wanted == 1 {
            problem.compute(rows: 0..<m, cols: 0..<n)
            return
        }
        // Threads claim rectangles of C dynamically; with piecesPerThread > 1 a thread that starts
        // late takes fewer (measured no gain on two cores, hence the default 1).
        let grid = threadGrid(threads: wanted * blocking.piecesPerThread, m: m, n: n, k: k)
        let pieces = grid.rows * grid.cols
        if pieces == 1 {
            problem.compute(rows: 0..<m, cols: 0..<n)
            return
        }
        let rowUnits = (m + gemmMR - 1) / gemmMR
        let colUnits = (n + 15) / 16
        let run: @Sendable (Int) -> Void = { index in
            let rowPart = split(units: rowUnits, parts: grid.rows, index: index / grid.cols)
            let colPart = split(units: colUnits, parts: grid.cols, index: index % grid.cols)
            let rows = min(m, rowPart.lowerBound * gemmMR)..<min(m, rowPart.upperBound * gemmMR)
            let cols = min(n, colPart.lowerBound * 16)..<min(n, colPart.upperBound * 16)
            if !rows.isEmpty && !cols.isEmpty { problem.compute(rows: rows, cols: cols) }
        }
        if blocking.spinningWorkers {
            ComputePool.shared.run(iterations: pieces, threads: wanted, run)
        } else {
            DispatchQueue.concurrentPerform(iterations: pieces, execute: run)
        }
    }

    /// Chooses a rows x cols grid of C rectangles for `threads` threads, minimising the packing
    /// that threads duplicate (each packs the A rows and B columns of its rectangle).
    static func threadGrid(threads: Int, m: Int, n: Int, k: Int) -> (rows: Int, cols: Int) {
        let rowUnits = (m + gemmMR - 1) / gemmMR
        let colUnits = (n + 15) / 16
        var count = min(threads, rowUnits * colUnits)
        while count > 1 {
            var best: (rows: Int, cols: Int)? = nil
            var bestCost = Double.infinity
            for rows in 1...count where count % rows == 0 {
                let cols = count / rows
                guard rows <= rowUnits && cols <= colUnits else { continue }
                // Packing duplicated, plus imbalance of the split in tile units.
                let packing = Double(cols) * Double(m) * Double(k) + Double(rows) * Double(k) * Double(n)
                let rowImbalance = Double((rowUnits + rows - 1) / rows * rows) / Double(rowUnits)
                let colImbalance = Double((colUnits + cols - 1) / cols * cols) / Double(colUnits)
                let cost =
                    packing + 2 * Double(m) * Double(n) * Double(k) / 16 * (rowImbalance * colImbalance - 1)
                if cost < bestCost {
                    bestCost = cost
                    best = (rows, cols)
                }
            }
            if let best { return best }
            count -= 1
        }
        return (1, 1)
    }

    /// Part `index` of `units` split into `parts` near-equal contiguous ranges.
    @inline(__always)
    static func split(units: Int, parts: Int, index: Int) -> Range<Int> {
        let base = units / parts
        let extra = units % parts
        let lower = index * base + min(index, extra)
        return lower..<(lower + base + (index < extra ? 1 : 0))
    }

    /// `C = beta * C` (beta == 0 writes zeros, ignoring NaN).
    static func scale(
        _ c: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ldc: Int, by beta: Float
    ) {
        for i in 0..<rows {
            let row = c + i * ldc
            if beta == 0 {
                row.update(repeating: 0, count: cols)
            } else if beta != 1 {
                for j in 0..<cols { row[j] *= beta }
            }
        }
    }
}
