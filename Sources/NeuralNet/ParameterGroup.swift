import TensorCore

/// A named list of parameters that one optimizer updates: a model declares its groups, and whoever
/// trains it creates one optimizer per group (as PyTorch code builds `Adam(model.encoder.parameters())`
/// outside the model).
///
/// Groups may overlap (an adversarial autoencoder's encoder is in its reconstruction group and in its
/// generator group). The name is the optimizer's name: its prefix in `optimizer.safetensors`.
public struct ParameterGroup {
    /// The group's name, e.g. `autoencoder`, `critic`.
    public let name: String
    /// The parameters, with the dotted names the model lists them under.
    public let parameters: [(name: String, tensor: Tensor)]

    public init(_ name: String, _ parameters: [(name: String, tensor: Tensor)]) {
        self.name = name
        self.parameters = parameters
    }
}
