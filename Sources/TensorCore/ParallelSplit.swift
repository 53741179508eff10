/// Splits an elementwise pass over `0..<count` into one contiguous range per compute thread, run on
/// the GEMM's spinning workers (`ComputePool`), when each thread gets at least `minimumPerThread`
/// elements; smaller passes run whole on the calling thread. Ranges start at multiples of 16, so a
/// 16-lane loop over each gives the same result as one loop over everything.
public enum ParallelSplit {
    public static func ranges(
        count: Int, minimumPerThread: Int = 32_768, threads: Int = ComputeThreads.count,
        _ body: @Sendable (Range<Int>) -> Void
    ) {
        let parts = min(threads, count / max(minimumPerThread, 1))
        guard parts > 1 else {
            if count > 0 { body(0..<count) }
            return
        }
        let units = (count + 15) / 16
        ComputePool.shared.run(iterations: parts, threads: parts) { index in
            let part = GEMM.split(units: units, parts: parts, index: index)
            let range = min(count, part.lowerBound * 16)..<min(count, part.upperBound * 16)
            if !range.isEmpty { body(range) }
        }
    }
}
