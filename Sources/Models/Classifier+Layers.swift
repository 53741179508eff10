import NeuralNet
import TensorCore

/// The classifier's layers under the names PyTorch gives the modules of the equivalent `nn.Sequential`
/// (`"0"`, `"1"`, ...; the CNN's leading Unflatten has no PyTorch counterpart and no name), and their
/// activations: what feature-space and perceptual attacks measure distances in.
extension Classifier {
    /// PyTorch's module names, in order: `"0"` is the first layer.
    public var layerNames: [String] {
        (0..<(network.layers.count - layerOffset)).map(String.init)
    }

    /// Each layer as `name (Type)`, e.g. `3 (Conv2d)`, for help and error messages.
    public var layerDescriptions: [String] {
        layerNames.indices.map { "\($0) (\(type(of: network.layers[$0 + layerOffset])))" }
    }

    /// The layers whose output has channels at each position (convolutions and what follows them before
    /// the flatten) or features (a hidden Linear or its activation): every layer but the last.
    public var featureLayerNames: [String] { Array(layerNames.dropLast()) }

    /// The position in `network.layers` of the layer PyTorch calls `name`, or nil.
    public func layerIndex(named name: String) -> Int? {
        guard let index = Int(name), String(index) == name, layerNames.indices.contains(index) else { return nil }
        return index + layerOffset
    }

    /// The output of the layer called `name` for `input` `[batch, height*width]`, recorded for autograd
    /// when gradients are on: `[batch, features]` after a Linear, `[batch, channels, h, w]` inside the CNN.
    public func activations(_ input: Tensor, at name: String) -> Tensor {
        activations(input, at: [name])[0]
    }

    /// The outputs of several layers in one forward pass, in the order of `names`.
    public func activations(_ input: Tensor, at names: [String]) -> [Tensor] {
        let indices = names.map { name in
            guard let index = layerIndex(named: name) else {
                preconditionFailure("no layer '\(name)' (layers: \(layerNames.joined(separator: ", ")))")
            }
            return index
        }
        guard let last = indices.max() else { return [] }
        var outputs: [Int: Tensor] = [:]
        var x = input
        for (index, layer) in network.layers.enumerated().prefix(last + 1) {
            x = layer(x)
            outputs[index] = x
        }
        return indices.map { outputs[$0]! }
    }

    /// The CNN's Unflatten is layer 0 of `network` but has no PyTorch name.
    private var layerOffset: Int { network.layers.first is Unflatten ? 1 : 0 }
}
