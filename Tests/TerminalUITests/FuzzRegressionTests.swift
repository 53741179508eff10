import Foundation
import Testing

@testable import TerminalUI

/// Every file of the theme and input-decoder fuzz corpora (seeds and inputs that once crashed or hung
/// the fuzzer, see Tests/Fuzz/run-fuzzers.sh) replayed through the real code, plus malformed theme
/// files with the one-line error each must give.
@Suite struct TerminalUIFuzzRegressionTests {
    static let corpusRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus").path

    static func corpus(_ name: String) throws -> [(String, Data)] {
        let folder = corpusRoot + "/" + name
        return try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { file in
            (file, try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file)))
        }
    }

    @Test func replaysThemeCorpus() throws {
        let files = try Self.corpus("theme")
        #expect(files.count >= 5)
        for (name, data) in files {
            do {
                let theme = try Theme(json: data, source: name)
                for depth in [ColorDepth.none, .ansi16, .palette256] { _ = theme.degraded(to: depth) }
                _ = theme.seriesColor(data.count)
                _ = theme.classColor(data.count)
            } catch let error as ThemeError {
                #expect(!error.description.contains("\n"), "\(name): \(error)")
            }
        }
    }

    @Test func replaysInputCorpus() throws {
        let files = try Self.corpus("input")
        #expect(files.count >= 5)
        for (_, data) in files {
            let bytes = Array(data)
            var whole = InputDecoder()
            _ = whole.feed(bytes)
            _ = whole.flush()
            var pieces = InputDecoder()
            var index = 0
            var length = 1
            while index < bytes.count {
                let end = min(bytes.count, index + length)
                _ = pieces.feed(bytes[index..<end])
                if length % 5 == 0 { _ = pieces.flush() }
                index = end
                length = length % 7 + 1
            }
            _ = pieces.flush()
        }
    }

    /// Malformed theme JSON and a fragment of the one-line error each must give.
    static let malformedThemes: [(String, [UInt8], String)] = [
        ("empty", [], "not valid JSON"),
        ("truncated", Array(##"{"name": "x", "background": "#00"##.utf8), "not valid JSON"),
        ("non-UTF-8", [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D], "not valid JSON"),
        ("top-level array", Array("[1, 2]".utf8), "top level must be an object"),
        (
            "deeply nested",
            Array((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8),
            "not valid JSON"
        ),
        (
            "nested object",
            Array(
                (#"{"a":"# + String(repeating: #"{"a":"#, count: 50_000) + "1" + String(repeating: "}", count: 50_001))
                    .utf8), "not valid JSON"
        ),
        ("colour is a number", Array(#"{"background": 3}"#.utf8), "'background'"),
        ("colour escape sequence", Array("{\"background\": \"\\u001b]52;c;aGk=\\u0007\"}".utf8), "'background'"),
        (
            "huge series",
            Array(
                ("{\"series\": [" + Array(repeating: "\"#ffffff\"", count: 20_000).joined(separator: ",") + "]}").utf8),
            "'"
        ),
    ]

    @Test(arguments: malformedThemes.indices)
    func rejectsMalformedTheme(index: Int) {
        let (label, bytes, fragment) = Self.malformedThemes[index]
        do {
            _ = try Theme(json: Data(bytes), source: "bad.json")
            Issue.record("\(label): accepted")
        } catch let error as ThemeError {
            #expect(error.description.contains("bad.json"), "\(label): \(error)")
            #expect(error.description.contains(fragment), "\(label): \(error)")
            #expect(!error.description.contains("\n") && !error.description.contains("\u{1B}"), "\(label): \(error)")
        } catch {
            Issue.record("\(label): unexpected error type \(error)")
        }
    }

    @Test func themeFromADeviceOrAHugeFileIsRefused() throws {
        let device = ThemeLoader.load(request: "/dev/zero", environment: [:])
        #expect(device.theme == .dark)
        #expect(device.warning?.contains("is not a regular file") == true, "\(device.warning ?? "nil")")
        let path = NSTemporaryDirectory() + "manifold-huge-theme-\(getpid()).json"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(count: ThemeLoader.maximumFileSize + 1)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let huge = ThemeLoader.load(request: path, environment: [:])
        #expect(huge.warning?.contains("is larger than") == true, "\(huge.warning ?? "nil")")
    }

    /// Bug: a theme given as a symbolic link to a theme file (from a dotfiles folder) was refused as "not
    /// a regular file": the check read the link's own type. The file it names counts; a link to a device
    /// or to nothing is still refused.
    @Test func themeThroughASymbolicLinkIsRead() throws {
        let folder = NSTemporaryDirectory() + "manifold-linked-theme-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let light = Theme.embeddedJSONForTests.replacingOccurrences(of: "\"#7aa2f7\"", with: "\"#123456\"")
        try light.write(toFile: folder + "/real.json", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.json", withDestinationPath: "real.json")
        let linked = ThemeLoader.load(request: folder + "/link.json", environment: [:])
        #expect(linked.warning == nil, "\(linked.warning ?? "")")
        #expect(linked.theme == ThemeLoader.load(request: folder + "/real.json", environment: [:]).theme)
        #expect(linked.theme != .dark)
        try FileManager.default.createSymbolicLink(atPath: folder + "/device.json", withDestinationPath: "/dev/zero")
        let device = ThemeLoader.load(request: folder + "/device.json", environment: [:])
        #expect(device.theme == .dark && device.warning?.contains("is not a regular file") == true)
        try FileManager.default.createSymbolicLink(atPath: folder + "/dangling.json", withDestinationPath: "gone.json")
        let dangling = ThemeLoader.load(request: folder + "/dangling.json", environment: [:])
        #expect(dangling.theme == .dark && dangling.warning != nil, "\(dangling.warning ?? "nil")")
    }
}
