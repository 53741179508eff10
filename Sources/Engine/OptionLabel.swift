/// How an error names what named a run: `option '--run'` for a command-line option (`--run`, `--with`),
/// as the parser's own errors name options, and the phrase itself otherwise (the Workbench's "the class
/// sweep", a command's argument).
public func optionLabel(_ option: String) -> String {
    option.hasPrefix("--") ? "option '\(option)'" : option
}
