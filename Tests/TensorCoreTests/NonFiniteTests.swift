import Testing

@testable import TensorCore

/// `hasNonFinite` finds a NaN or an infinity at any position: in the 16-lane body and in the tail, and in
/// each thread's part of a tensor large enough to be split over the compute threads.
struct NonFiniteTests {
    @Test(arguments: [1, 15, 16, 17, 40, 1000])
    func findsEveryNonFiniteValueAtEveryPosition(count: Int) {
        let clean = Tensor(shape: [count], scalars: (0..<count).map { Float($0) * 1e30 - 3e32 })
        #expect(!clean.hasNonFinite)
        for bad in [Float.nan, -Float.nan, Float.infinity, -Float.infinity] {
            for position in Set([0, count / 2, count - 1]) {
                var scalars = clean.scalars
                scalars[position] = bad
                #expect(Tensor(shape: [count], scalars: scalars).hasNonFinite, "\(bad) at \(position) of \(count)")
            }
        }
    }

    @Test func findsANonFiniteValueInEachThreadsPart() {
        let count = 600_007  // Two parts of 262,144 or more at two threads; a tail of 7 after the lanes.
        let tensor = Tensor(zeros: [count])
        #expect(!tensor.hasNonFinite)
        for position in [0, 300_000, 300_010, count - 8, count - 1] {
            tensor.data[position] = .infinity
            #expect(tensor.hasNonFinite, "at \(position)")
            tensor.data[position] = 0
        }
    }

    /// The moving average's blend: the formula on every element, in the lanes, the tail and each thread's part.
    @Test(arguments: [5, 16, 600_007])
    func blendIsTheMovingAverageOnEveryElement(count: Int) {
        let average = Tensor(shape: [count], scalars: (0..<count).map { Float($0 % 97) * 0.25 })
        let live = Tensor(shape: [count], scalars: (0..<count).map { Float($0 % 13) - 6 })
        let (before, decay) = (average.scalars, Float(0.9))
        average.blend(decay: decay, toward: live)
        let expected = (0..<count).map { decay * before[$0] + (1 - decay) * live.data[$0] }
        let worst = zip(average.scalars, expected).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-5, "largest difference \(worst)")
    }
}
