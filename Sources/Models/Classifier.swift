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

    /// The CNN's architecture (`train cnn --net`); the MLP has only `standard`.
    public enum Architecture: String, CaseIterable, Sendable {
        /// The `cnn` above.
        case standard
        /// The MNIST challenge model of Madry et al. 2018 ("Towards deep learning models resistant to
        /// adversarial attacks", `madrylab/mnist_challenge` `model.py`): conv(1->32, 5x5, SAME, i.e. pad 2)
        /// -ReLU-maxpool2-conv(32->64, 5x5, pad 2)-ReLU-maxpool2-fc(3136->1024)-ReLU-fc(1024->10).
        case madry
        /// The MNIST model of Wong, Rice & Kolter 2020 ("Fast is better than free", `mnist_net.py`):
        /// conv(1->16, 4x4, stride 2, pad 1)-ReLU-conv(16->32, 4x4, stride 2, pad 1)-ReLU-fc(1568->100)
        /// -ReLU-fc(100->10).
        case wong
    }

    public let kind: Kind
    public let architecture: Architecture
    public let imageHeight: Int
    public let imageWidth: Int
    public let classCount: Int
    public let network: Sequential

    /// Why a classifier of `kind` cannot take `imageHeight` x `imageWidth` images (the CNNs pool or stride
    /// twice by 2, so their sides must be divisible by 4), or nil when it can.
    public static func sizeProblem(kind: Kind, imageHeight: Int, imageWidth: Int) -> String? {
        guard kind == .cnn, imageHeight % 4 != 0 || imageWidth % 4 != 0 else { return nil }
        return "the cnn needs image sides divisible by 4, got \(imageHeight)x\(imageWidth) (train mlp takes any size)"
    }

    /// - Precondition: `sizeProblem` finds none.
    public init(
        kind: Kind, architecture: Architecture = .standard, imageHeight: Int = 28, imageWidth: Int = 28,
        classCount: Int = 10,
        hiddenWidth: Int = 256, generator: inout RandomGenerator
    ) {
        precondition(imageHeight % 4 == 0 && imageWidth % 4 == 0 || kind == .mlp, "the CNN needs sides divisible by 4")
        precondition(kind == .cnn || architecture == .standard, "only the CNN has other architectures")
        self.kind = kind
        self.architecture = architecture
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
        case .cnn where architecture == .madry:
            network = Sequential([
                Unflatten(shape: [1, imageHeight, imageWidth]),
                Conv2d(inputChannels: 1, outputChannels: 32, kernelSize: 5, padding: 2, generator: &generator), ReLU(),
                MaxPool2d(kernelSize: 2),
                Conv2d(inputChannels: 32, outputChannels: 64, kernelSize: 5, padding: 2, generator: &generator), ReLU(),
                MaxPool2d(kernelSize: 2), Flatten(),
                Linear(inputCount: 64 * (imageHeight / 4) * (imageWidth / 4), outputCount: 1024, generator: &generator),
                ReLU(), Linear(inputCount: 1024, outputCount: classCount, generator: &generator),
            ])
        case .cnn where architecture == .wong:
            network = Sequential([
                Unflatten(shape: [1, imageHeight, imageWidth]),
                Conv2d(
                    inputChannels: 1, outputChannels: 16, kernelSize: 4, stride: 2, padding: 1, generator: &generator),
                ReLU(),
                Conv2d(
                    inputChannels: 16, outputChannels: 32, kernelSize: 4, stride: 2, padding: 1, generator: &generator),
                ReLU(), Flatten(),
                Linear(inputCount: 32 * (imageHeight / 4) * (imageWidth / 4), outputCount: 100, generator: &generator),
                ReLU(), Linear(inputCount: 100, outputCount: classCount, generator: &generator),
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

    /// A classifier around a given network: a defence wrapped around a trained model, or a deliberately
    /// masked model in a test. `kind` and `architecture` name the layout checkpoints assume.
    public init(
        kind: Kind, architecture: Architecture = .standard, imageHeight: Int, imageWidth: Int, classCount: Int,
        network: Sequential
    ) {
        self.kind = kind
        self.architecture = architecture
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
        self.classCount = classCount
        self.network = network
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
