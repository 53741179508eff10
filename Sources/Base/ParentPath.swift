/// The folder above a path, worked out from the path's text alone.
///
/// Foundation's `NSString.deletingLastPathComponent` traps ("Illegal instruction") on Linux for a relative
/// path whose last component is `~` (`a/~`, as in `--out 'a/~/b'` or `$MANIFOLD_RUNS=x/~`), so the folders of
/// an `--out` or a runs folder are walked with this instead.
public enum ParentPath {
    /// The folder above `path`, as `deletingLastPathComponent` gives it: `a/b` -> `a`, `/a` -> `/`,
    /// `/` -> `/`, `a` -> `` (the current folder); trailing and doubled slashes are ignored, and `~` is a
    /// name like any other.
    public static func of(_ path: String) -> String {
        var text = Substring(path)
        while text.count > 1, text.hasSuffix("/") { text.removeLast() }
        guard let slash = text.lastIndex(of: "/") else { return "" }
        var parent = text[..<slash]
        while parent.hasSuffix("/") { parent.removeLast() }
        return parent.isEmpty ? "/" : String(parent)
    }
}
