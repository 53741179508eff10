import TensorCore
import Testing

@testable import NeuralNet

/// The frozen-network fast path against autograd on the same modules: forward and input gradient equal
/// bit for bit on stored weights, up to rounding on packed ones, and networks it cannot take are refused
/// with the layer named.
@Suite struct FrozenNetworkTests {
    /// An MLP with widths that are not multiples of 16 (vector loops' remainders) and odd batch sizes.
    static func network(activation: () -> any Module, generator: inout RandomGenerator) -> Sequential {
        Sequential([
            Linear(inputCount: 29, outputCount: 37, generator: &generator), activation(),
            Linear(inputCount: 37, outputCount: 19, generator: &generator), activation(),
            Linear(inputCount: 19, outputCount: 7, generator: &generator),
        ])
    }

    /// Autograd's output and `d sum(output * weights) / d x` at `x`.
    static func autograd(_ network: Sequential, _ x: Tensor, outputGradient: Tensor) -> (
        output: Tensor, gradient: Tensor
    ) {
        let input = x.copy().requiringGrad()
        let output = network(input)
        output.backward(outputGradient)
        for parameter in network.parameters { parameter.grad = nil }
        return (output.detached(), input.grad!)
    }

    @Test(arguments: ["relu", "silu"], [1, 2, 5, 19])
    func forwardAndInputGradientEqualAutogradBitForBit(activation: String, rows: Int) throws {
        var generator = RandomGenerator(seed: 11)
        let kind: FrozenDense.Activation = activation == "relu" ? .relu : .silu
        let network = Self.network(
            activation: { kind == .relu ? ReLU() as any Module : SiLU() }, generator: &generator)
        let frozen = try FrozenNetwork(network)
        #expect(frozen.layers.map { $0.activation } == [kind, kind, .identity])
        let x = Tensor.randomNormal([rows, 29], generator: &generator)
        let outputGradient = Tensor.randomNormal([rows, 7], generator: &generator)
        let expected = Self.autograd(network, x, outputGradient: outputGradient)

        let output = frozen(x)
        let gradient = frozen.inputGradient(outputGradient: outputGradient)
        #expect(output.shape == [rows, 7] && gradient.shape == [rows, 29])
        #expect(output.scalars == expected.output.scalars)
        #expect(gradient.scalars == expected.gradient.scalars)
        #expect(gradient.scalars.contains { $0 != 0 })
        // No weight gradient is formed, and the weights keep requiring gradients.
        #expect(network.parameters.allSatisfy { $0.grad == nil && $0.requiresGrad })
    }

    @Test func packedWeightsAgreeUpToRounding() throws {
        var generator = RandomGenerator(seed: 12)
        let network = Self.network(activation: { SiLU() }, generator: &generator)
        let frozen = try FrozenNetwork(network, packsWeights: true)
        for rows in [1, 3, 19] {
            let x = Tensor.randomNormal([rows, 29], generator: &generator)
            let outputGradient = Tensor.randomNormal([rows, 7], generator: &generator)
            let expected = Self.autograd(network, x, outputGradient: outputGradient)
            let output = frozen(x)
            let gradient = frozen.inputGradient(outputGradient: outputGradient)
            for (got, want) in zip(
                output.scalars + gradient.scalars, expected.output.scalars + expected.gradient.scalars)
            {
                #expect(abs(got - want) <= 1e-5 * max(1, abs(want)))
            }
        }
    }

    /// With packed weights the bias and the activation run on the product's threads, on each run of
    /// columns as it is finished (`GEMM.multiply(..., finished:)`): bitwise what the whole product followed
    /// by the layer-wide bias add and activation gives, with the layers' biases and with bias rows, on
    /// widths the threads split unevenly.
    @Test(arguments: [false, true])
    func packedLayersFinishEachRunOfColumnsAsTheWholeLayer(usesBiasRows: Bool) throws {
        var generator = RandomGenerator(seed: 15)
        let widths = [300, 250, 120, 70]
        let kinds: [FrozenDense.Activation] = [.silu, .relu, .identity]
        let layers = (0..<3).map { index in
            FrozenDense(
                Linear(inputCount: widths[index], outputCount: widths[index + 1], generator: &generator),
                activation: kinds[index])
        }
        let frozen = FrozenNetwork(layers: layers, packsWeights: true)
        let rows = 64
        let x = Tensor.randomNormal([rows, widths[0]], generator: &generator)
        let biasRows: [[[Float]]]? =
            usesBiasRows
            ? widths.dropFirst().map { width in
                (0..<rows).map { _ in (0..<width).map { _ in generator.uniform(-1, 1) } }
            } : nil
        let got = frozen(x, biasRows: biasRows).scalars

        var input = x.scalars
        for (index, layer) in layers.enumerated() {
            let (k, n) = (layer.inputCount, layer.outputCount)
            let packed = GEMMPackedMatrix(k: k, n: n, b: layer.weight.data, ldb: k, transB: true)
            var z = biasRows.map { $0[index].flatMap { $0 } } ?? [Float](repeating: 0, count: rows * n)
            GEMM.multiply(m: rows, a: input, lda: k, packed: packed, c: &z, ldc: n, beta: usesBiasRows ? 1 : 0)
            var y = z
            z.withUnsafeMutableBufferPointer { z in
                if !usesBiasRows { ElementwiseKernels.addRows(z.baseAddress!, rows: rows, width: n, layer.bias!.data) }
                y.withUnsafeMutableBufferPointer { y in
                    switch layer.activation {
                    case .identity: y.baseAddress!.update(from: z.baseAddress!, count: rows * n)
                    case .relu: ElementwiseKernels.relu(z.baseAddress!, y.baseAddress!, rows * n)
                    case .silu: ElementwiseKernels.silu(z.baseAddress!, y.baseAddress!, rows * n)
                    }
                }
            }
            input = y
        }
        #expect(got == input)
        #expect(Set(got).count > rows)
    }

    /// Per-row biases replace the layers' own: `activation(x W^T + row)`, as autograd computes it on a
    /// bias-free layer plus the rows.
    @Test func biasRowsReplaceTheLayersBiases() throws {
        var generator = RandomGenerator(seed: 13)
        let first = Linear(inputCount: 10, outputCount: 6, generator: &generator)
        let second = Linear(inputCount: 6, outputCount: 3, generator: &generator)
        let frozen = FrozenNetwork(layers: [FrozenDense(first, activation: .silu), FrozenDense(second)])
        let x = Tensor.randomNormal([4, 10], generator: &generator)
        let rows1 = (0..<4).map { _ in (0..<6).map { _ in generator.uniform(-1, 1) } }
        let rows2 = (0..<4).map { _ in (0..<3).map { _ in generator.uniform(-1, 1) } }
        let got = frozen(x, biasRows: [rows1, rows2])
        let expected = noGrad {
            let hidden =
                (x.linear(weight: first.weight, bias: nil) + Tensor(shape: [4, 6], scalars: rows1.flatMap { $0 }))
                .silu()
            return hidden.linear(weight: second.weight, bias: nil)
                + Tensor(shape: [4, 3], scalars: rows2.flatMap { $0 })
        }
        for (a, b) in zip(got.scalars, expected.scalars) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b))) }
    }

    /// Buffers grow for a larger batch and a smaller one reuses them without stale values.
    @Test func batchSizesChangeBetweenCalls() throws {
        var generator = RandomGenerator(seed: 14)
        let network = Self.network(activation: { ReLU() }, generator: &generator)
        let frozen = try FrozenNetwork(network)
        for rows in [3, 17, 2, 17] {
            let x = Tensor.randomNormal([rows, 29], generator: &generator)
            #expect(frozen(x).scalars == noGrad { network(x) }.scalars)
        }
    }

    @Test func networksOutsideTheFastPathAreRefusedNamingTheLayer() {
        var generator = RandomGenerator(seed: 15)
        let cases: [(Sequential, Int, String)] = [
            (
                Sequential([
                    Linear(inputCount: 4, outputCount: 4, generator: &generator), Sigmoid(),
                    Linear(inputCount: 4, outputCount: 2, generator: &generator),
                ]), 1, "Sigmoid"
            ),
            (
                Sequential([Linear(inputCount: 4, outputCount: 4, generator: &generator), ReLU(), ReLU()]), 2,
                "second activation"
            ),
            (Sequential([ReLU(), Linear(inputCount: 4, outputCount: 4, generator: &generator)]), 0, "ReLU"),
            (
                Sequential([
                    Linear(inputCount: 4, outputCount: 5, generator: &generator),
                    Linear(inputCount: 4, outputCount: 2, generator: &generator),
                ]), 1, "takes 4 inputs after 5 outputs"
            ),
            (Sequential([Dropout(rate: 0.5)]), 0, "Dropout"),
            (Sequential([]), 0, "empty"),
        ]
        for (network, index, words) in cases {
            do {
                _ = try FrozenNetwork(network)
                Issue.record("a network with \(words) was taken")
            } catch {
                #expect(error.index == index, "\(error)")
                #expect(error.description.contains(words) && error.description.contains("layer \(index)"), "\(error)")
                #expect(!error.description.contains("\n"))
            }
        }
    }
}
