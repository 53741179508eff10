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

    /// Recorded, the Winograd forward pass gives the direct form's output to rounding and, for the same
    /// output gradient, bitwise its parameters' gradients (their backward pass is the direct form's) and
    /// the input's gradient to rounding (a Winograd convolution with the turned kernels).
    @Test func recordedWinogradForwardHasTheDirectFormsGradients() {
        var rng = RandomGenerator(seed: 8)
        for (batch, channels, outChannels, side) in [(3, 5, 7, 9), (2, 32, 16, 14), (1, 3, 2, 4), (2, 16, 8, 28)] {
            let x = Tensor.randomNormal([batch, channels, side, side], generator: &rng)
            let weight = Tensor.randomNormal([outChannels, channels, 3, 3], generator: &rng)
            let bias = Tensor.randomNormal([outChannels], generator: &rng)
            let upstream = Tensor.randomNormal([batch, outChannels, side, side], generator: &rng)
            func run(winograd: Bool) -> (out: [Float], grads: [[Float]]) {
                let (xv, wv, bv) = (x.detached(), weight.detached(), bias.detached())
                for t in [xv, wv, bv] { t.requiresGrad = true }
                let out = xv.conv2d(weight: wv, bias: bv, stride: 1, padding: 1, allowWinograd: winograd)
                (out * upstream).sum().backward()
                return (out.scalars, [xv, wv, bv].map { $0.grad!.scalars })
            }
            let direct = run(winograd: false)
            let winograd = run(winograd: true)
            let largest = direct.out.map(abs).max()!
            let error = zip(direct.out, winograd.out).map { abs($0 - $1) }.max()!
            // F(4x4, 3x3) on the 28-wide image, F(2x2, 3x3) on the others (see the tests above).
            #expect(error <= 1e-4 * largest, "\(batch)x\(channels)->\(outChannels) \(side)x\(side): \(error)")
            #expect(direct.grads[1] == winograd.grads[1] && direct.grads[2] == winograd.grads[2])
            let largestInput = direct.grads[0].map(abs).max()!
            let inputError = zip(direct.grads[0], winograd.grads[0]).map { abs($0 - $1) }.max()!
            #expect(inputError <= 1e-4 * largestInput, "input gradient: \(inputError) of \(largestInput)")
        }
    }
}
