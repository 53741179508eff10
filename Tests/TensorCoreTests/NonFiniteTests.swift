import Testing

@testable import TensorCore

/// `hasNonFinite` finds a NaN or an infinity at any position: in the 16-lane body and in the tail.
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
}
