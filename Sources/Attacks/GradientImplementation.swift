/// Which code gives the gradient attacks their logits and input gradients.
///
/// By default an attack run on a stack of Linear and ReLU layers (the MLP) uses its `FrozenNetwork`, and
/// any other network autograd. `manifold bench attack` times the autograd path as its baseline, and the
/// tests use it as the oracle, by running attacks inside `GradientImplementation.$forceAutograd.withValue(true)`;
/// a task-local value, so tests running in parallel never see each other's setting.
public enum GradientImplementation {
    /// True inside a scope that asks attack runs created there to use autograd even for an MLP.
    @TaskLocal public static var forceAutograd = false
}
