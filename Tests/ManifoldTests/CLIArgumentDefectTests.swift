import Base
import Foundation
import Testing

/// Regression tests for command-line defects in how arguments and the environment are read: `version
/// --json`, extra words, a runs folder that is a file, and limits a run's `--test-limit` sets.
@Suite(.serialized) struct CLIArgumentDefectTests {
    static let tiny = CLIReviewDefectTests.tiny

    /// Bug: `manifold version --json` printed the plain line `manifold 0.1.0`.
    @Test func versionJSONIsOneObject() throws {
        for arguments in [["version", "--json"], ["--version", "--json"]] {
            let result = try ManifoldBinary.run(arguments)
            #expect(result.status == 0 && result.stderr.isEmpty, "\(arguments): \(result.stderr)")
            let object = try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(object["name"]?.stringValue == "manifold", "\(result.stdout)")
            #expect(object["version"]?.stringValue?.first?.isNumber == true, "\(result.stdout)")
        }
        let plain = try ManifoldBinary.run(["version"])
        #expect(plain.status == 0 && plain.stdout.hasPrefix("manifold "))
    }
}
