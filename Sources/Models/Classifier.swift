import NeuralNet
import TensorCore

/// The image classifiers under attack (MATH.md section 9): an MLP and a small CNN, both taking
/// flattened images [batch, height*width] with pixels in [0, 1] and returning logits [batch, classes].
///
/// Parameter names match the equivalent PyTorch `nn.Sequential` (see README), so weights move both ways.
public final class Classifier: Module {
    /// Which architecture a classifier has.
    public enum Kind: String, CaseIterable, Sendable {
        /// 784-256-256-10 with ReLU.
        case mlp
        /// conv(1->32, 3x3, pad 1)-ReLU-maxpool2-conv(32->64, 3x3, pad 1)-ReLU-maxpool2-fc(3136->128)-ReLU-fc(128->10).
        case cnn
    }

    public let kind: Kind
    public let imageHeight: Int
    public let imageWidth: Int
    public let classCount: Int
    public let network: Sequential

    public init(
        kind: Kind, imageHeight: Int = 28, imageWidth: Int = 28, classCount: Int = 10, hiddenWidth: Int = 256,
        generator: inout RandomGenerator
    ) {
        precondition(imageHeight % 4 == 0 && imageWidth % 4 == 0 || kind == .mlp, "the CNN needs sides divisible by 4")
        self.kind = kind
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
        self.classCount = classCount
        switch kind {
        case .mlp:
            network = Sequential([
                Linear(inputCount: imageHeight * imageWidth, outputCount: hiddenWidth, generator: &generator), ReLU(),
                Linear(inputCount: hiddenWidth, outputCount: hiddenWidth, generator: &generator), ReLU(),
                Linear(inputCount: hiddenWidth, outputCount: classCount, generator: &generator),
            ])
        case .cnn:
            let flat = 64 * (imageHeight / 4) * (imageWidth / 4)
            network = Sequential([
                Unflatten(shape: [1, imageHeight, imageWidth]),
                Conv2d(inputChannels: 1, outputChannels: 32, kernelSize: 3, padding: 1, generator: &generator), ReLU(),
                MaxPool2d(kernelSize: 2),
                Conv2d(inputChannels: 32, outputChannels: 64, kernelSize: 3, padding: 1, generator: &generator), ReLU(),
                MaxPool2d(kernelSize: 2), Flatten(),
                Linear(inputCount: flat, outputCount: 128, generator: &generator), ReLU(),
                Linear(inputCount: 128, outputCount: classCount, generator: &generator),
            ])
        }
    }

    /// - Parameter input: [batch, height*width]. - Returns: logits [batch, classCount].
    public func callAsFunction(_ input: Tensor) -> Tensor {
        network(input)
    }

    /// PyTorch's names: the Sequential indices, minus the leading Unflatten for the CNN (PyTorch's
    /// model takes NCHW input directly), so `0.weight` is the first layer in both.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        guard kind == .cnn else { return network.namedParameters }
        return network.layers.enumerated().flatMap { prefixed(String($0.offset - 1), $0.element.namedParameters) }
    }

    public func setTraining(_ training: Bool) { network.setTraining(training) }
}
