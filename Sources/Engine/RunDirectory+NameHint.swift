import Base

extension RunDirectory {
    /// For a run that is not there: `"; it is being trained by another process (pid N), which has not
    /// made its folder yet"` when a training holds its lock (it loads its data before it makes the folder,
    /// and the "no run folder" line alone sent users looking for a typo), else `": did you mean
    /// 'fashion-mlp'?"` when a saved run's name is a near miss of this one's (`fashion-mpl`,
    /// `Fashion-MLP`), else "". Follows the run's path in the "no run folder" errors of every command
    /// and option that names a run.
    public var nameHint: String {
        if let holder = RunLock.holder(of: self) {
            return "; it is being trained by \(holder), which has not made its folder or saved an epoch yet"
        }
        return SpellingSuggestion.hint(for: name, among: Self.list(root: root).map(\.name))
    }
}
