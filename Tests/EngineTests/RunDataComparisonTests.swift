import Base
import Engine
import Testing

/// `RunDataComparison`: two runs used together are noted when their class names differ, and only then.
@Suite struct RunDataComparisonTests {
    static func config(_ data: String, _ names: [String]?) -> [String: JSONValue] {
        var config: [String: JSONValue] = ["data": .string(data)]
        if let names { config["class_names"] = .array(names.map { .string($0) }) }
        return config
    }
    static let digits = (0..<10).map(String.init)
    static let fashion = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat"]

    @Test func classesOfOtherNamesAreNoted() throws {
        let mine = RunDataComparison(config: Self.config("synthetic", Self.digits))
        let theirs = RunDataComparison(config: Self.config("fashion", Self.fashion))
        let note = try #require(mine.note(option: "'--classifier'", otherRun: "f", other: theirs, role: "run 'd'"))
        #expect(
            note == "note: '--classifier' run 'f' was trained on fashion (T-shirt/top, Trouser, Pullover, ...), "
                + "run 'd' on synthetic (0, 1, 2, ...): their classes differ")
    }

    @Test func theSameClassesFromOtherDataAreNotNoted() {
        let synthetic = RunDataComparison(config: Self.config("synthetic", Self.digits))
        let folder = RunDataComparison(config: Self.config("/data/mnist", Self.digits))
        #expect(synthetic.note(option: "'--compare'", otherRun: "m", other: folder, role: "'--run' 's'") == nil)
        let unnamed = RunDataComparison(config: Self.config("fashion", nil))
        #expect(synthetic.note(option: "'--compare'", otherRun: "u", other: unnamed, role: "'--run' 's'") == nil)
        let fewer = RunDataComparison(config: Self.config("/data/three", ["0", "1", "2"]))
        #expect(synthetic.note(option: "'--compare'", otherRun: "t", other: fewer, role: "'--run' 's'") != nil)
    }
}
