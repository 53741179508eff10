import Testing

@testable import TensorCore

/// A leaf takes the gradient that reaches it when no one else holds it or a view of it, and copies it
/// otherwise: a gradient shared by two leaves, the caller's seed and views of a larger gradient must
/// never alias a leaf's `grad`, which later backward passes accumulate into in place.
@Suite struct LeafGradientOwnershipTests {
    @Test func aSumsSharedGradientGivesEachLeafItsOwn() {
        let a = Tensor(shape: [3], scalars: [1, 2, 3], requiresGrad: true)
        let b = Tensor(shape: [3], scalars: [4, 5, 6], requiresGrad: true)
        (a + b).sum().backward()
        #expect(a.grad!.scalars == [1, 1, 1] && b.grad!.scalars == [1, 1, 1])
        #expect(a.grad!.storage !== b.grad!.storage)
        // A second pass accumulates into each leaf's own gradient.
        (a * 2 + b).sum().backward()
        #expect(a.grad!.scalars == [3, 3, 3] && b.grad!.scalars == [2, 2, 2])
    }

    @Test func theCallersSeedIsCopied() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6], requiresGrad: true)
        let seed = Tensor(shape: [2, 3], scalars: [1, 1, 2, 2, 3, 3])
        x.backward(seed)
        let y = Tensor(shape: [2, 3], scalars: [0, 0, 0, 0, 0, 0], requiresGrad: true)
        let seen = Tensor(shape: [6], scalars: [1, 2, 3, 4, 5, 6])
        y.reshaped([6]).backward(seen)
        seed.data[0] = 100
        seen.data[0] = 100
        #expect(x.grad!.scalars == [1, 1, 2, 2, 3, 3])
        #expect(y.grad!.scalars == [1, 2, 3, 4, 5, 6])
    }

    @Test func viewsOfOneGradientAreCopied() {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4], requiresGrad: true)
        let b = Tensor(shape: [1, 2], scalars: [5, 6], requiresGrad: true)
        (Tensor.concatenate([a, b], axis: 0) * Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])).sum().backward()
        #expect(a.grad!.scalars == [1, 2, 3, 4] && b.grad!.scalars == [5, 6])
        a.grad!.addInPlace(a.grad!)
        #expect(b.grad!.scalars == [5, 6])
        #expect(a.grad!.scalars == [2, 4, 6, 8])
    }

    @Test func aFreshProductIsTakenAndAccumulates() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let w = Tensor(shape: [3, 2], scalars: [1, 0, 0, 1, 1, 1], requiresGrad: true)
        x.matmul(w).sum().backward()
        let once = w.grad!.scalars
        #expect(once == [5, 5, 7, 7, 9, 9])
        #expect(w.grad!.ownsWholeStorage())
        x.matmul(w).sum().backward()
        #expect(w.grad!.scalars == once.map { 2 * $0 })
    }
}
