import Synchronization
import Testing

@testable import TensorCore

/// `ParallelSplit` covers every index once, in ranges that start at multiples of 16.
@Suite struct ParallelSplitTests {
    @Test(arguments: [0, 5, 16, 40_000, 100_003, 1_000_000])
    func rangesCoverEveryIndexOnce(count: Int) {
        let seen = Mutex<[Range<Int>]>([])
        ParallelSplit.ranges(count: count, minimumPerThread: 10_000, threads: 3) { range in
            seen.withLock { $0.append(range) }
        }
        let ranges = seen.withLock { $0 }.sorted { $0.lowerBound < $1.lowerBound }
        #expect(ranges.reduce(0) { $0 + $1.count } == count)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(ranges.allSatisfy { $0.lowerBound % 16 == 0 })
        #expect(ranges.count == (count == 0 ? 0 : max(1, min(3, count / 10_000))))
    }
}
