import Testing

@testable import TensorCore

/// Winograd's F(2x2, 3x3) and F(4x4, 3x3) convolutions against the direct im2col convolution they
/// stand in for, and the conditions under which `conv2d` takes them.
@Suite struct WinogradConvolutionTests {
    /// Largest difference between the two forms, relative to the largest output of the direct form.
    func relativeDifference(
        batch: Int, channels: Int, outChannels: Int, height: Int, width: Int, bias: Bool, fourByFour: Bool
    ) -> Float {
        var rng = RandomGenerator(seed: UInt64(batch * 1000 + channels * 10 + height))
        let x = Tensor.randomNormal([batch, channels, height, width], generator: &rng)
        let weight = Tensor.randomNormal([outChannels, channels, 3, 3], standardDeviation: 0.3, generator: &rng)
        let b = bias ? Tensor.randomNormal([outChannels], generator: &rng) : nil
        let direct = x.conv2d(weight: weight, bias: b, stride: 1, padding: 1)
        let winograd =
            fourByFour
            ? x.conv2dWinograd(weight: weight, bias: b, tiles: Winograd4x4Transforms.self)
            : x.conv2dWinograd(weight: weight, bias: b, tiles: Winograd2x2Transforms.self)
        #expect(winograd.shape == direct.shape)
        var (worst, largest): (Float, Float) = (0, 0)
        for i in 0..<direct.count {
            worst = max(worst, abs(winograd.data[i] - direct.data[i]))
            largest = max(largest, abs(direct.data[i]))
        }
        return worst / largest
    }

    /// Even and odd sides (the last tile row and column hang over the edge), rows narrower and wider
    /// than the vectors and at their edges, one channel, the U-Net's 32 to 128, batches that take the
    /// serial and the threaded path, with and without bias, and planes smaller than a vector in several
    /// images of many channels (a whole-vector store then runs over several planes).
    static let shapes = [
        (1, 1, 1, 4, 4, true), (1, 3, 2, 5, 7, false), (2, 4, 5, 1, 1, true), (3, 2, 3, 2, 9, true),
        (2, 32, 32, 28, 28, true), (16, 64, 64, 7, 7, true), (9, 128, 64, 14, 14, false), (40, 8, 16, 6, 6, true),
        (3, 4, 4, 3, 17, true), (5, 3, 5, 33, 15, false), (6, 2, 3, 16, 32, true), (4, 96, 32, 28, 28, false),
        (2, 5, 3, 29, 31, true), (2, 3, 4, 30, 64, true), (3, 2, 2, 11, 36, false), (2, 16, 8, 27, 65, true),
        (6, 3, 8, 2, 2, true), (5, 4, 6, 3, 3, false), (4, 2, 7, 4, 4, true),
    ]

    /// F(2x2, 3x3) loses a few float ulps of the largest term; F(4x4, 3x3)'s transforms have larger
    /// coefficients (up to 8) and fractions that float does not hold exactly, so it loses about ten
    /// times more (1.2e-5 of the largest output at 128 channels).
    @Test(arguments: [false, true], shapes)
    func matchesDirectConvolution(fourByFour: Bool, shape: (Int, Int, Int, Int, Int, Bool)) {
        let difference = relativeDifference(
            batch: shape.0, channels: shape.1, outChannels: shape.2, height: shape.3, width: shape.4, bias: shape.5,
            fourByFour: fourByFour)
        #expect(difference < (fourByFour ? 1e-4 : 2e-5), "shape \(shape): relative difference \(difference)")
    }

    /// A known answer: an all-ones 3x3 kernel sums each pixel's neighbourhood (zero padding).
    @Test func boxFilterKnownAnswer() {
        let x = Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let weight = Tensor(repeating: 1, shape: [1, 1, 3, 3])
        let bias = Tensor(shape: [1], scalars: [0.5])
        let expected: [Float] = [12.5, 21.5, 16.5, 27.5, 45.5, 33.5, 24.5, 39.5, 28.5]
        #expect(x.conv2dWinograd(weight: weight, bias: bias, tiles: Winograd2x2Transforms.self).scalars == expected)
        let four = x.conv2dWinograd(weight: weight, bias: bias, tiles: Winograd4x4Transforms.self).scalars
        #expect(zip(four, expected).allSatisfy { abs($0 - $1) <= 1e-5 * 45.5 }, "\(four)")
    }

    /// The row ends' masks: all bits in the first n lanes, none in the rest, for every n the loads use.
    @Test func tailMaskKeepsTheFirstLanes() {
        for n in 0...16 {
            let mask = WinogradVectors.tailMask(n)
            for lane in 0..<16 { #expect(mask[lane] == (lane < n ? UInt32.max : 0), "n \(n), lane \(lane)") }
        }
    }

    /// `conv2dWinograd` takes F(4x4, 3x3) for images at least 24 pixels wide with 16 or more input
    /// channels, where it is the faster, and F(2x2, 3x3) otherwise: its result is bitwise the one or
    /// the other's.
    @Test func choosesTheTilesByWidthAndChannels() {
        guard !Tensor.winogradSmallTiles else { return }  // MANIFOLD_WINOGRAD=2x2 asks for F(2x2) always
        var rng = RandomGenerator(seed: 5)
        for (channels, side, four) in [
            (16, 28, true), (32, 24, true), (15, 28, false), (32, 14, false), (1, 28, false),
        ] {
            let x = Tensor.randomNormal([2, channels, side, side], generator: &rng)
            let weight = Tensor.randomNormal([4, channels, 3, 3], generator: &rng)
            let chosen = x.conv2dWinograd(weight: weight, bias: nil).scalars
            let byFour = x.conv2dWinograd(weight: weight, bias: nil, tiles: Winograd4x4Transforms.self).scalars
            let byTwo = x.conv2dWinograd(weight: weight, bias: nil, tiles: Winograd2x2Transforms.self).scalars
            #expect(byFour != byTwo)
            #expect(chosen == (four ? byFour : byTwo), "\(channels) channels, \(side)x\(side)")
        }
    }

    /// `conv2d(allowWinograd:)` takes the Winograd path only for 3x3, stride 1, padding 1, recorded or not.
    @Test func appliesOnlyToSameSizeThreeByThree() {
        var rng = RandomGenerator(seed: 3)
        let x = Tensor.randomNormal([2, 4, 6, 6], generator: &rng)
        let weight = Tensor.randomNormal([4, 4, 3, 3], generator: &rng)
        weight.requiresGrad = true
        #expect(Tensor.winogradApplies(input: x, weight: weight, stride: 1, padding: 1))
        #expect(noGrad { Tensor.winogradApplies(input: x, weight: weight, stride: 1, padding: 1) })
        #expect(!Tensor.winogradApplies(input: x, weight: weight, stride: 2, padding: 1))
        #expect(!Tensor.winogradApplies(input: x, weight: weight, stride: 1, padding: 0))
        let wide = Tensor.randomNormal([4, 4, 5, 5], generator: &rng)
        #expect(!Tensor.winogradApplies(input: x, weight: wide, stride: 1, padding: 1))
        // Recorded: the result carries a gradient node, as the direct form's does.
        let recorded = x.conv2d(weight: weight, bias: nil, stride: 1, padding: 1, allowWinograd: true)
        #expect(recorded.requiresGrad)
        let unrecorded = noGrad { x.conv2d(weight: weight, bias: nil, stride: 1, padding: 1, allowWinograd: true) }
        #expect(!unrecorded.requiresGrad)
    }

    /// Recorded, the Winograd convolution gives the direct form's output and, for the same output
    /// gradient, its input's, weight's and bias's gradients to rounding (the backward pass is Winograd's
    /// too). Shapes as above: both tile sizes, odd sides, planes smaller than a vector, batches that take
    /// the serial and the threaded path, groups of images cut short, and the U-Net's layers.
    static let gradientShapes = [
        (3, 5, 7, 9, 9), (2, 32, 16, 14, 14), (1, 3, 2, 4, 4), (2, 16, 8, 28, 28), (6, 3, 8, 2, 2), (5, 4, 6, 3, 3),
        (2, 5, 3, 29, 31), (40, 8, 16, 6, 6), (9, 128, 64, 14, 14), (3, 96, 32, 28, 28), (16, 64, 64, 7, 7),
        (7, 2, 3, 16, 32), (1, 1, 1, 1, 1),
    ]

    @Test(arguments: gradientShapes)
    func recordedWinogradConvolutionHasTheDirectFormsGradients(shape: (Int, Int, Int, Int, Int)) {
        let (batch, channels, outChannels, height, width) = shape
        var rng = RandomGenerator(seed: UInt64(7 + batch * channels + height))
        let x = Tensor.randomNormal([batch, channels, height, width], generator: &rng)
        let weight = Tensor.randomNormal([outChannels, channels, 3, 3], generator: &rng)
        let bias = Tensor.randomNormal([outChannels], generator: &rng)
        let upstream = Tensor.randomNormal([batch, outChannels, height, width], generator: &rng)
        func run(winograd: Bool) -> (out: [Float], grads: [[Float]]) {
            let (xv, wv, bv) = (x.detached(), weight.detached(), bias.detached())
            for t in [xv, wv, bv] { t.requiresGrad = true }
            let out = xv.conv2d(weight: wv, bias: bv, stride: 1, padding: 1, allowWinograd: winograd)
            (out * upstream).sum().backward()
            return (out.scalars, [xv, wv, bv].map { $0.grad!.scalars })
        }
        let direct = run(winograd: false)
        let winograd = run(winograd: true)
        func relativeError(_ a: [Float], _ b: [Float]) -> Float {
            let largest = a.map(abs).max()!
            return zip(a, b).map { abs($0 - $1) }.max()! / max(largest, .leastNormalMagnitude)
        }
        // F(4x4, 3x3) on the wide images with many channels, F(2x2, 3x3) on the others.
        #expect(relativeError(direct.out, winograd.out) <= 1e-4, "output, \(shape)")
        #expect(relativeError(direct.grads[0], winograd.grads[0]) <= 1e-4, "input gradient, \(shape)")
        #expect(relativeError(direct.grads[1], winograd.grads[1]) <= 1e-4, "weight gradient, \(shape)")
        #expect(relativeError(direct.grads[2], winograd.grads[2]) <= 1e-5, "bias gradient, \(shape)")
    }

    /// The weight gradient's two transforms are the adjoints of the forward pass's: for any `M` and `Y`,
    /// `<transformOutput(M), Y> = <M, transformOutputGradient(Y)>`, and for any kernels `g` and `dU`,
    /// `<transformWeights(g), dU> = <g, transformWeightGradient(dU)>`, over every tile element, edge
    /// tile and channel (images hanging over their tiles' edges, planes smaller than a vector).
    @Test(arguments: [false, true], [(2, 3, 2, 5, 7), (3, 2, 4, 9, 30), (4, 2, 3, 2, 2), (1, 1, 1, 28, 28)])
    func gradientTransformsAreTheAdjoints(fourByFour: Bool, shape: (Int, Int, Int, Int, Int)) {
        if fourByFour {
            checkAdjoints(Winograd4x4Transforms.self, shape)
        } else {
            checkAdjoints(Winograd2x2Transforms.self, shape)
        }
    }

    func checkAdjoints<T: WinogradTileTransforms>(_ kind: T.Type, _ shape: (Int, Int, Int, Int, Int)) {
        let (count, channels, outChannels, height, width) = shape
        let transforms = T(channels: channels, outChannels: outChannels, height: height, width: width)
        let columns = count * transforms.tiles
        let ld = WinogradVectors.rowStride(columns: columns)
        var rng = RandomGenerator(seed: UInt64(count * 100 + height * 10 + width))
        let mCount = T.elements * outChannels * ld
        // M's slack lanes past the group's columns are never read: zero them in both products.
        let m = Tensor.randomNormal([mCount], generator: &rng)
        for row in 0..<(T.elements * outChannels) {
            for lane in columns..<ld { m.data[row * ld + lane] = 0 }
        }
        let y = Tensor.randomNormal([count * outChannels * height * width], generator: &rng)
        let forward = TensorStorage(count: y.count)
        let scratch = TensorStorage(
            count: max(transforms.outputScratch, transforms.outputGradientScratch, transforms.inputScratch))
        transforms.transformOutput(
            m.data, columns: columns, count: count, bias: nil, addends: WinogradOutputAddends(), into: forward.pointer,
            stage: scratch.pointer)
        let adjoint = TensorStorage(count: mCount)
        transforms.transformOutputGradient(
            y.data, count: count, into: adjoint.pointer, columns: columns, scratch: scratch.pointer)
        var (left, right, scale) = (0.0, 0.0, 0.0)
        for i in 0..<y.count {
            left += Double(forward.pointer[i]) * Double(y.data[i])
            scale += abs(Double(forward.pointer[i]) * Double(y.data[i]))
        }
        for row in 0..<(T.elements * outChannels) {
            for lane in 0..<columns {
                right += Double(m.data[row * ld + lane]) * Double(adjoint.pointer[row * ld + lane])
            }
        }
        #expect(abs(left - right) <= 1e-5 * scale, "output transform: \(left) vs \(right)")

        let g = Tensor.randomNormal([outChannels * channels * 9], generator: &rng)
        let du = Tensor.randomNormal([T.elements * outChannels * channels], generator: &rng)
        let u = TensorStorage(count: du.count)
        transforms.transformWeights(g.data, into: u.pointer)
        let dg = TensorStorage(count: g.count)
        transforms.transformWeightGradient(du.data, into: dg.pointer)
        var (weightLeft, weightRight, weightScale) = (0.0, 0.0, 0.0)
        for i in 0..<du.count {
            weightLeft += Double(u.pointer[i]) * Double(du.data[i])
            weightScale += abs(Double(u.pointer[i]) * Double(du.data[i]))
        }
        for i in 0..<g.count { weightRight += Double(g.data[i]) * Double(dg.pointer[i]) }
        #expect(
            abs(weightLeft - weightRight) <= 1e-5 * weightScale, "weight transform: \(weightLeft) vs \(weightRight)")
    }
}
