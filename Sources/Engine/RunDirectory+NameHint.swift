import Base

extension RunDirectory {
    /// For a run that is not there: `": did you mean 'fashion-mlp'?"` when a saved run's name is a near
    /// miss of this one's (`fashion-mpl`, `Fashion-MLP`), else "". Follows the run's path in the
    /// "no run folder" errors of every command and option that names a run.
    public var nameHint: String {
        SpellingSuggestion.hint(for: name, among: Self.list(root: root).map(\.name))
    }
}
