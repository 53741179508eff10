import TensorCore

/// PyTorch's default initialisation for Linear and convolution layers: weight and bias uniform in
/// ±1/sqrt(fanIn) (Kaiming-uniform with a = sqrt(5)), both requiring gradients.
func uniformWeightAndBias(
    weightShape: [Int], biasCount: Int, fanIn: Int, bias: Bool, generator: inout RandomGenerator
) -> (weight: Tensor, bias: Tensor?) {
    let bound = 1 / Float(fanIn).squareRoot()
    let weight = Tensor.randomUniform(weightShape, low: -bound, high: bound, generator: &generator).requiringGrad()
    let biasTensor =
        bias ? Tensor.randomUniform([biasCount], low: -bound, high: bound, generator: &generator).requiringGrad() : nil
    return (weight, biasTensor)
}

/// `weight` and, when present, `bias`: the named parameters of a layer with PyTorch's names.
func weightAndBias(_ weight: Tensor, _ bias: Tensor?) -> [(name: String, tensor: Tensor)] {
    var list: [(name: String, tensor: Tensor)] = [("weight", weight)]
    if let bias { list.append(("bias", bias)) }
    return list
}
