import Base

/// `manifold version` (or `--version`): the program's name and version, as one line or, with `--json`,
/// as one object `{"name": "manifold", "version": "0.1.0"}`. It takes no other arguments.
enum VersionCommand {
    /// The version number, without the program's name.
    static let number = "0.1.0"

    static let declaration = CommandDeclaration(
        name: "version", summary: "the program's name and version",
        about:
            "Prints the program's name and version (`manifold --version` is the same): one line, or with --json\none object {\"name\", \"version\"}.",
        options: [SharedOptions.json.declaration])

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        if parsed.has(SharedOptions.json) {
            print(JSONValue.object(["name": .string("manifold"), "version": .string(number)]).serialized())
        } else {
            print("manifold \(number)")
        }
        return 0
    }
}
