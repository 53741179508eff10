/// The known names a mistyped word most likely meant, for the "did you mean" of a one-line error
/// (`unknown attack 'fsgm': did you mean 'fgsm'? (known: ...)`).
///
/// A name is suggested when it is the word in another case (`MLP`), begins with the word (`--epoch` for
/// `--epochs`, at least 3 characters typed), or is within a small edit distance of it: one edit for
/// words of up to 4 characters, two for longer ones, an edit being an inserted, deleted or replaced
/// character or two neighbours swapped (`fsgm`). Case is ignored throughout. Only the names at the
/// smallest distance are offered, at most two, so an unrelated word (`zap`, `resnet`) gets none.
public enum SpellingSuggestion {
    /// The names `word` most likely meant, best first (empty when none is close).
    public static func closest(to word: String, among names: [String]) -> [String] {
        let typed = Array(word.lowercased())
        guard !typed.isEmpty else { return [] }
        let limit = typed.count <= 4 ? 1 : 2
        var best = Int.max
        var found: [String] = []
        for name in names where name != word {
            let candidate = Array(name.lowercased())
            var distance = editDistance(typed, candidate)
            if distance > limit, typed.count >= 3, candidate.count > typed.count,
                candidate.starts(with: typed)
            {
                distance = limit
            }
            guard distance <= limit else { continue }
            if distance < best {
                best = distance
                found = [name]
            } else if distance == best, !found.contains(name) {
                found.append(name)
            }
        }
        return Array(found.prefix(2))
    }

    /// `": did you mean 'x'?"` (or `'x' or 'y'`), to follow the mistyped word in an error message, or ""
    /// when no name is close. `shownWith` goes before each name shown (`--` for an option compared by its
    /// name alone).
    public static func hint(for word: String, among names: [String], shownWith prefix: String = "") -> String {
        let found = closest(to: word, among: names)
        guard !found.isEmpty else { return "" }
        return ": did you mean " + found.map { "'\(prefix)\($0)'" }.joined(separator: " or ") + "?"
    }

    /// The optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, before[j - 2] + 1)
                }
                current[j] = value
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }
}
