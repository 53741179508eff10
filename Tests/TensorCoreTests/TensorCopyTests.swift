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
}
