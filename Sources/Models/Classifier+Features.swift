import NeuralNet
import TensorCore

extension Classifier {
    /// The penultimate activations (the input of the last Linear layer): [batch, features].
    /// Used for latent scatter plots and for the Frechet distance of generated samples.
    public func features(_ input: Tensor) -> Tensor {
        network.layers.dropLast().reduce(input) { $1($0) }
    }

    /// Class probabilities without recording gradients: [batch, classes].
    public func probabilities(_ input: Tensor) -> Tensor {
        noGrad { self(input).softmax() }
    }
}
