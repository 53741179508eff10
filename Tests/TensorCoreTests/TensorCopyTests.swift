import Testing

@testable import TensorCore

/// `copy()` and `Tensor(shape:copying:)`: one copy of the values, in storage of their own.
struct TensorCopyTests {
    @Test func copyOwnsItsStorageAndKeepsAViewsValues() {
        let base = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
        let view = base.rows(1..<3)
        let copy = view.copy()
        #expect(copy.shape == [2, 2] && copy.scalars == [3, 4, 5, 6])
        #expect(copy.storage !== base.storage && copy.offset == 0 && !copy.requiresGrad)
        base.data[2] = 30
        #expect(copy.scalars == [3, 4, 5, 6])
        #expect(Tensor(zeros: [0, 4]).copy().shape == [0, 4])
    }

    @Test func copyingASliceTakesItsElementsInOrder() {
        let values: [Float] = (0..<10).map(Float.init)
        let tensor = Tensor(shape: [2, 3], copying: values[2..<8])
        #expect(tensor.scalars == [2, 3, 4, 5, 6, 7] && tensor.shape == [2, 3])
        #expect(Tensor(shape: [0, 3], copying: values[4..<4]).count == 0)
    }

    /// Above 2 x 262,144 floats the copies are split over the compute threads: every element still
    /// arrives, at one thread and at two, and an `assign` between overlapping views of one storage still
    /// moves the values as one copy would.
    @Test(arguments: [1, 2]) func largeCopiesSplitOverThreadsKeepEveryElement(threads: Int) {
        let original = ComputeThreads.count
        defer { ComputeThreads.count = original }
        ComputeThreads.count = threads
        do {
            let count = 1_000_003
            var generator = RandomGenerator(seed: 5)
            let source = Tensor.randomUniform([count], low: -1, high: 1, generator: &generator)
            let copy = source.copy()
            #expect(copy.scalars == source.scalars)
            let fromSlice = Tensor(shape: [count], copying: source.scalars[...])
            #expect(fromSlice.scalars == source.scalars)
            let target = Tensor(zeros: [count])
            target.assign(source)
            #expect(target.scalars == source.scalars)

            // Two views of one storage, one element apart.
            let storage = TensorStorage(count: count + 1)
            let lower = Tensor(shape: [count], storage: storage, offset: 0)
            let upper = Tensor(shape: [count], storage: storage, offset: 1)
            lower.assign(source)
            upper.assign(lower)
            #expect(upper.scalars == source.scalars)
        }
    }
}
