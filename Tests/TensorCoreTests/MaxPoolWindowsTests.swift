import Testing

@testable import TensorCore

/// The vector path of 2x2, stride-2 max pooling (`MaxPoolWindows`) against a plain loop over the
/// windows: the same maxima bit for bit, and the gradient at the same winner of each window, on
/// widths where the last block of windows is moved back (odd counts, an odd last column), with ties
/// and NaNs that the order of comparisons decides.
@Suite struct MaxPoolWindowsTests {
    /// Maxima and winners (index in the plane) of every window, first maximum in reading order, by
    /// scalar comparisons (`>`: a NaN in front stays, a later one never wins).
    func reference(_ x: [Float], planes: Int, height: Int, width: Int) -> (maxima: [Float], winners: [Int]) {
        let (oh, ow) = (height / 2, width / 2)
        var maxima: [Float] = []
        var winners: [Int] = []
        for plane in 0..<planes {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let corner = 2 * oy * width + 2 * ox
                    var best = corner
                    for index in [corner + 1, corner + width, corner + width + 1]
                    where x[plane * height * width + index] > x[plane * height * width + best] {
                        best = index
                    }
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
}
