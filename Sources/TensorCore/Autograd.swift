/// One recorded operation: its inputs and the rule that maps the output's gradient to theirs.
///
/// The rule receives the output tensor as an argument rather than capturing it, so the graph holds no
/// reference cycles (output -> node -> closure -> output).
final class GradNode {
    let inputs: [Tensor]
    let backward: (_ gradOutput: Tensor, _ output: Tensor) -> [Tensor?]

    init(inputs: [Tensor], backward: @escaping (_ gradOutput: Tensor, _ output: Tensor) -> [Tensor?]) {
        self.inputs = inputs
        self.backward = backward
    }
}

extension Tensor {
    /// Attaches a backward rule to `output` when recording is on and an input requires gradients.
    /// Returns `output` for chaining.
    @discardableResult
    public static func record(
        _ output: Tensor, inputs: [Tensor],
        backward: @escaping (_ gradOutput: Tensor, _ output: Tensor) -> [Tensor?]
    ) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return output }
        output.requiresGrad = true
        output.gradNode = GradNode(inputs: inputs, backward: backward)
        return output
    }

    /// Reverse-mode differentiation from this tensor.
    ///
    /// Walks the recorded graph in reverse topological order (an iterative depth-first sort over the
    /// ordered inputs: deterministic, no recursion depth limit) and accumulates `grad` on every leaf
    /// that requires gradients. A value used twice receives the sum of its gradients.
    /// - Parameter gradient: d(objective)/d(self); defaults to ones (the usual scalar loss case).
    public func backward(_ gradient: Tensor? = nil) {
        precondition(requiresGrad, "backward() on a tensor that does not require gradients")
        let seed = gradient ?? Tensor(repeating: 1, shape: shape)
        precondition(seed.shape == shape || seed.count == count, "gradient shape \(seed.shape) for \(shape)")

        // Iterative post-order DFS gives a topological order (inputs before outputs).
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (tensor, next) = stack.popLast() {
            let inputs = tensor.gradNode?.inputs ?? []
            if next < inputs.count {
                stack.append((tensor, next + 1))
                let child = inputs[next]
                if child.requiresGrad, visited.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                order.append(tensor)
            }
        }

        noGrad {
            var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed.reshaped(shape)]
            for tensor in order.reversed() {
                let id = ObjectIdentifier(tensor)
                guard var gradOutput = grads.removeValue(forKey: id) else { continue }
                guard let node = tensor.gradNode else {
                    if let existing = tensor.grad {
                        existing.addInPlace(gradOutput)
                    } else if gradOutput.count == 0
                        || (isKnownUniquelyReferenced(&gradOutput) && gradOutput.ownsWholeStorage())
                    {
                        // No one else holds this gradient or a view of it (a weight's gradient is a fresh
                        // product): the leaf takes it. Copying every weight gradient was 2% of a DDPM MLP step.
                        tensor.grad = gradOutput
                    } else {
                        // Shared with another leaf (a sum's rule hands the same gradient to both inputs),
                        // the caller's seed, or a view: a copy of its own, so accumulating into it later
                        // cannot change another tensor.
                        tensor.grad = gradOutput.copy()
                    }
                    continue
                }
                let inputGrads = node.backward(gradOutput, tensor)
                for (input, inputGrad) in zip(node.inputs, inputGrads) {
                    guard input.requiresGrad, let inputGrad else { continue }
                    precondition(inputGrad.count == input.count, "gradient \(inputGrad.shape) for input \(input.shape)")
                    let key = ObjectIdentifier(input)
                    if let existing = grads[key] {
                        // Never mutate a gradient another rule may still hold: every sum is out
                        // of place (a fresh tensor), never added into either operand.
                        grads[key] = existing.add(inputGrad.reshaped(input.shape))
                    } else {
                        grads[key] = inputGrad.reshaped(input.shape)
                    }
                }
            }
        }
    }

    /// In-place `self += other` on storage (same element count), outside the graph.
    public func addInPlace(_ other: Tensor, scale: Float = 1) {
        precondition(other.count == count, "addInPlace: \(other.shape) into \(shape)")
        let p = data
        let q = other.data
        for i in 0..<count { p[i] += scale * q[i] }
    }
}
