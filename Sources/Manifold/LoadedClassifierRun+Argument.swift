import Engine

extension LoadedClassifierRun {
    /// Opens the run a command-line option names (a name under runs/ or a path).
    static func load(_ text: String, option: String) throws -> LoadedClassifierRun {
        try load(run: try resolveRunArgument(text, argument: option), option: option)
    }
}
