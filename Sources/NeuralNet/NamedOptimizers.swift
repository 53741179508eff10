/// The optimizers of one training, in order, each under a name: one per `ParameterGroup` of a
/// generative model, or a single unnamed one for a classifier.
///
/// The training that creates them owns them; a model's training step borrows them by group name, and a
/// checkpoint saves each one's state under its name.
public struct NamedOptimizers {
    /// The optimizers in order, with their names (unique; an empty name for a single unnamed one).
    public let entries: [(name: String, optimizer: any Optimizer)]

    public init(_ entries: [(name: String, optimizer: any Optimizer)]) {
        precondition(Set(entries.map(\.name)).count == entries.count, "optimizer names must be unique")
        self.entries = entries
    }

    /// One optimizer per group, named after it, made by `make` (e.g. an `Adam` over the group's
    /// parameters), in the groups' order.
    public init(_ groups: [ParameterGroup], make: (ParameterGroup) -> any Optimizer) {
        self.init(groups.map { (name: $0.name, optimizer: make($0)) })
    }

    /// The optimizer named `name`; a missing name is a programming error (traps, naming it).
    public subscript(_ name: String) -> any Optimizer {
        guard let entry = entries.first(where: { $0.name == name }) else {
            preconditionFailure("no optimizer named '\(name)' (have: \(entries.map(\.name)))")
        }
        return entry.optimizer
    }

    public var isEmpty: Bool { entries.isEmpty }
}
