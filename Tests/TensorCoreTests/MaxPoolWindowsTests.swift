import Testing

@testable import TensorCore

/// The vector path of 2x2, stride-2 max pooling (`MaxPoolWindows`) against a plain loop over the
/// windows: the same maxima bit for bit, and the gradient at the same winner of each window, on
/// widths where the last block of windows is moved back (odd counts, an odd last column), with ties
/// and NaNs that the order of comparisons decides.
@Suite struct MaxPoolWindowsTests {
    /// Maxima and winners (index in the plane) of every window: its first NaN in reading order if it
    /// has one (PyTorch's max pooling gives NaN there), else its first maximum.
    func reference(_ x: [Float], planes: Int, height: Int, width: Int) -> (maxima: [Float], winners: [Int]) {
        let (oh, ow) = (height / 2, width / 2)
        var maxima: [Float] = []
        var winners: [Int] = []
        for plane in 0..<planes {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let corner = 2 * oy * width + 2 * ox
                    let window = [corner, corner + 1, corner + width, corner + width + 1]
                    var best = corner
                    for index in window.dropFirst() where x[plane * height * width + index] > x[plane * height * width + best] {
                        best = index
                    }
                    if let firstNaN = window.first(where: { x[plane * height * width + $0].isNaN }) { best = firstNaN }
                    maxima.append(x[plane * height * width + best])
                    winners.append(plane * height * width + best)
                }
            }
        }
        return (maxima, winners)
    }

    @Test(arguments: [(8, 8), (9, 15), (14, 14), (28, 28), (5, 17), (4, 30), (6, 9), (3, 33)])
    func vectorWindowsMatchThePlainLoop(height: Int, width: Int) {
        let planes = 6
        var rng = RandomGenerator(seed: UInt64(height * 100 + width))
        // Values from a few levels, so that windows tie; some NaNs, some of them first in a window.
        var values = (0..<planes * height * width).map { _ in Float(rng.index(below: 4)) - 1 }
        for _ in 0..<(values.count / 20) { values[rng.index(below: values.count)] = .nan }
        values[0] = .nan
        let x = Tensor(shape: [2, 3, height, width], scalars: values)
        x.requiresGrad = true
        let y = x.maxPool2d(kernel: 2)
        let expected = reference(values, planes: planes, height: height, width: width)
        #expect(y.shape == [2, 3, height / 2, width / 2])
        let wrongMaxima = (0..<y.count).filter { y.scalars[$0].bitPattern != expected.maxima[$0].bitPattern }
        #expect(wrongMaxima.isEmpty, "\(wrongMaxima.count) maxima differ, first at \(wrongMaxima.prefix(5))")
        let weights = (0..<y.count).map { Float($0 + 1) }
        (y * Tensor(shape: y.shape, scalars: weights)).sum().backward()
        var expectedGrad = [Float](repeating: 0, count: values.count)
        for (i, winner) in expected.winners.enumerated() { expectedGrad[winner] += weights[i] }
        let grad = x.grad?.scalars ?? []
        let wrongGrad = (0..<values.count).filter { grad.count != values.count || grad[$0] != expectedGrad[$0] }
        #expect(wrongGrad.isEmpty, "\(wrongGrad.count) gradient entries differ, first at \(wrongGrad.prefix(5))")
    }

    /// The scalar loops (fewer than 4 windows a row, and other window sizes): a window with a NaN
    /// anywhere gives NaN, and its gradient goes to that NaN; the other windows their maximum.
    @Test func scalarWindowsGiveNaNWhereTheyHoldOne() {
        // 2x2 windows over a 4x6 plane (3 a row: the scalar path), NaN last in the first window.
        var values = (0..<24).map { Float($0) }
        values[7] = .nan
        let x = Tensor(shape: [1, 1, 4, 6], scalars: values).requiringGrad()
        let y = x.maxPool2d(kernel: 2)
        #expect(y.scalars[0].isNaN && Array(y.scalars.dropFirst()) == [9, 11, 19, 21, 23])
        y.sum().backward()
        #expect(x.grad?.scalars[7] == 1 && x.grad?.scalars[6] == 0)
        // 3x3 windows, stride 2, over 5x5: the NaN is the last element of the first window only.
        var wide = (0..<25).map { Float($0) }
        wide[12] = .nan
        let z = Tensor(shape: [1, 1, 5, 5], scalars: wide).maxPool2d(kernel: 3, stride: 2)
        #expect(z.scalars.map(\.isNaN) == [true, true, true, true])
        wide[12] = 0
        wide[10] = .nan
        let w = Tensor(shape: [1, 1, 5, 5], scalars: wide).maxPool2d(kernel: 3, stride: 2)
        #expect(w.scalars[0].isNaN && w.scalars[2].isNaN && w.scalars[1] == 14 && w.scalars[3] == 24)
    }
}
