import NeuralNet
import TensorCore

/// A small U-Net noise predictor for DDPM on square single-channel images whose side is divisible
/// by 4 (Ronneberger, Fischer and Brox 2015, in the form Ho et al. 2020 use for DDPM: residual
/// blocks with group normalisation and SiLU, the time embedding added to every block, skips joined
/// by concatenation).
///
/// For 28x28: input conv 1 -> 32; `down.0` (32, 28x28) -> stride-2 conv -> `down.1` (64, 14x14) ->
/// stride-2 conv -> `middle` (64, 7x7) -> upsample, join `down.1` -> `up.0` (128 -> 64, 14x14) ->
/// upsample, join `down.0` -> `up.1` (96 -> 32, 28x28) -> GroupNorm, SiLU, conv 32 -> 1. The time
/// embedding goes through `Linear, SiLU, Linear` (128 wide) and each block adds its own projection
/// of it per channel. About 0.45M parameters and 190 MFLOP per image. A convolution sees each
/// pixel's neighbours, which is what removing small noise needs and what the MLP lacks.
///
/// The second convolution of each block and the output convolution start at zero (as in Nichol and
/// Dhariwal 2021), so every block starts as its skip path and the first predictions are zero.
///
/// Class-conditional (Ho & Salimans 2021, on the network of Dhariwal & Nichol 2021): a learned class
/// embedding `class.weight` `[classCount + 1, 128]` (PyTorch's `nn.Embedding` layout; the last row is
/// "no label") is added to the time MLP's output before its last SiLU, so every block sees the class
/// through its time projection.
struct DiffusionUNet {
    /// Image side (28).
    let side: Int
    /// Width of the sinusoidal step embedding.
    let embedding: Int
    static let baseChannels = 32
    static let timeWidth = 128
    static let groups = 8

    /// The residual blocks: name, input channels, output channels.
    static let blocks: [(name: String, input: Int, output: Int)] = [
        ("down.0", 32, 32), ("down.1", 64, 64), ("middle", 64, 64), ("up.0", 128, 64), ("up.1", 96, 32),
    ]

    static func supports(pixels: Int) -> Bool {
        let side = Int(Double(pixels).squareRoot().rounded())
        return side * side == pixels && side % 4 == 0 && side >= 8
    }

    /// Freshly initialised parameters with PyTorch's default initialisation (zeros where noted); with
    /// `classCount > 0` also the class embedding (`nn.Embedding`'s N(0, 1)), classCount + 1 rows.
    static func makeParameters(embedding: Int, classCount: Int = 0, generator: inout RandomGenerator) -> [(
        name: String, tensor: Tensor
    )] {
        var list: [(name: String, tensor: Tensor)] = []
        func add(_ prefix: String, _ module: any Module) { list += prefixed(prefix, module.namedParameters) }
        func conv(_ input: Int, _ output: Int, kernel: Int = 3, stride: Int = 1, zero: Bool = false) -> Conv2d {
            let layer = Conv2d(
                inputChannels: input, outputChannels: output, kernelSize: kernel, stride: stride,
                padding: kernel / 2, generator: &generator)
            if zero {
                layer.weight.data.update(repeating: 0, count: layer.weight.count)
                layer.bias!.data.update(repeating: 0, count: output)
            }
            return layer
        }
        add("time.0", Linear(inputCount: embedding, outputCount: timeWidth, generator: &generator))
        add("time.2", Linear(inputCount: timeWidth, outputCount: timeWidth, generator: &generator))
        add("input", conv(1, baseChannels))
        for block in blocks {
            add("\(block.name).norm1", GroupNorm(groups: groups, channels: block.input))
            add("\(block.name).conv1", conv(block.input, block.output))
            add("\(block.name).time", Linear(inputCount: timeWidth, outputCount: block.output, generator: &generator))
            add("\(block.name).norm2", GroupNorm(groups: groups, channels: block.output))
            add("\(block.name).conv2", conv(block.output, block.output, zero: true))
            if block.input != block.output { add("\(block.name).skip", conv(block.input, block.output, kernel: 1)) }
        }
        add("downsample.0", conv(32, 64, stride: 2))
        add("downsample.1", conv(64, 64, stride: 2))
        add("output.norm", GroupNorm(groups: groups, channels: baseChannels))
        add("output.conv", conv(baseChannels, 1, zero: true))
        if classCount > 0 {
            list.append(("class.weight", Tensor.randomNormal([classCount + 1, timeWidth], generator: &generator)))
        }
        for parameter in list { parameter.tensor.requiresGrad = true }
        return list
    }

    /// `eps_theta(x_t, t[, y])`: x [n, side*side] and the step embeddings [n, embedding] -> [n, side*side].
    /// `weights` holds the parameters by their names, each after `prefix`. `labels` (one per row, the
    /// last class index meaning "no label") select rows of `class.weight`; nil for an unconditional net.
    func callAsFunction(
        _ x: Tensor, embedding e: Tensor, labels: [Int]? = nil, weights: [String: Tensor], prefix: String
    ) -> Tensor {
        let n = x.shape[0]
        let w = PrefixedWeights(weights: weights, prefix: prefix)
        /// The convolution `name`, then the per-channel `shift` and the `residual` where given (added in
        /// Winograd's output transform when nothing is recorded: `Tensor.conv2d(...shiftedPerChannelBy:adding:)`).
        func conv(
            _ input: Tensor, _ name: String, stride: Int = 1, shift: Tensor? = nil, residual: Tensor? = nil
        ) -> Tensor {
            let weight = w["\(name).weight"]!
            return input.conv2d(
                weight: weight, bias: w["\(name).bias"], stride: stride, padding: weight.shape[2] / 2,
                allowWinograd: true, shiftedPerChannelBy: shift, adding: residual)
        }
        /// Group normalisation then SiLU, fused (`Tensor.groupNormSiLU`: the same bits as the two ops).
        func normSiLU(_ input: Tensor, _ name: String) -> Tensor {
            input.groupNormSiLU(groups: Self.groups, weight: w["\(name).weight"]!, bias: w["\(name).bias"]!)
        }
        var timeFeatures = e.linear(weight: w["time.0.weight"]!, bias: w["time.0.bias"]).silu()
            .linear(weight: w["time.2.weight"]!, bias: w["time.2.bias"])
        if let labels, let table = w["class.weight"] {
            timeFeatures = timeFeatures + Self.oneHot(labels, classes: table.shape[0]).matmul(table)
        }
        let time = timeFeatures.silu()
        func block(_ input: Tensor, _ name: String) -> Tensor {
            let shift = time.linear(weight: w["\(name).time.weight"]!, bias: w["\(name).time.bias"])
            let h = conv(normSiLU(input, "\(name).norm1"), "\(name).conv1", shift: shift)
            let skip = w["\(name).skip.weight"] != nil ? conv(input, "\(name).skip") : input
            return conv(normSiLU(h, "\(name).norm2"), "\(name).conv2", residual: skip)
        }
        let image = x.reshaped([n, 1, side, side])
        let first = block(conv(image, "input"), "down.0")
        let second = block(conv(first, "downsample.0", stride: 2), "down.1")
        var h = block(conv(second, "downsample.1", stride: 2), "middle")
        h = block(h.upsampleNearest(factor: 2, concatenatedWith: second), "up.0")
        h = block(h.upsampleNearest(factor: 2, concatenatedWith: first), "up.1")
        return conv(normSiLU(h, "output.norm"), "output.conv").reshaped([n, side * side])
    }

    /// `[labels.count, classes]` rows of zeros with a one at each label: an embedding lookup as a matrix
    /// product, so the table's gradient reaches exactly the rows used.
    static func oneHot(_ labels: [Int], classes: Int) -> Tensor {
        let out = Tensor(zeros: [labels.count, classes])
        for (row, label) in labels.enumerated() {
            precondition((0..<classes).contains(label), "class label \(label) outside 0..<\(classes)")
            out.data[row * classes + label] = 1
        }
        return out
    }
}

/// Parameters looked up by their names after a prefix.
private struct PrefixedWeights {
    let weights: [String: Tensor]
    let prefix: String
    subscript(_ name: String) -> Tensor? { weights[prefix + name] }
}
