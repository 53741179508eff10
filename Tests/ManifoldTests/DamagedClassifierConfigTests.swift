import Base
import Foundation
import SafeTensors
import Testing

/// Bug: a classifier run's config.json with an implausible `image_width` (100000), `image_height` (0) or
/// `class_names` ([]) was evaluated by `eval` with the data's sizes (exit 0) while `attack` refused it as
/// "implausible image size or class count", naming no key. Both refuse it now, naming the key, exit 1.
struct DamagedClassifierConfigTests {
    @Test func evalAndAttackRefuseTheSameDamagedKeys() throws {
        let root = temporaryFolder()
        defer { cleanup(root) }
        try trainTinyMLP("m", root: root)
        let path = "\(root)/m/config.json"
        let original = try FileIO.readAll(path: path)
        for (key, value, message) in [
            (
                "image_width", JSONValue.integer(100_000),
                "image_width must be a whole number from 1 to 4096, got 100000"
            ),
            ("image_height", .integer(0), "image_height must be a whole number from 1 to 4096, got 0"),
            ("class_names", .array([]), "class_names must list 2 to 10000 class names, got []"),
        ] {
            try FileIO.writeAtomically(original, path: path)
            try editConfig(path) { $0[key] = value }
            for arguments in [["eval", "m"], ["attack", "fgsm", "--run", "m", "--n", "2"]] {
                let result = try ManifoldBinary.run(arguments, runsRoot: root)
                expectOneLine(result, status: 1, "m/config.json: " + message, "\(arguments[0]) \(key)")
            }
        }
    }
}
