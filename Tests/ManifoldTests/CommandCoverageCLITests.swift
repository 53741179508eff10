import Base
import Foundation
import Testing

/// End-to-end runs of the commands no other test runs to completion: `bench tui`, `bench train` at its
/// smallest settings, and the widget gallery `demo` in a terminal.
@Suite(.serialized) struct CommandCoverageCLITests {
    @Test func benchTUIReportsFrameTimesAndBytes() throws {
        let result = try ManifoldBinary.run(["bench", "tui", "--json"], timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(report["benchmark"]?.stringValue == "tui")
        #expect(report["width"]?.doubleValue == 200 && report["height"]?.doubleValue == 60)
        for key in ["full_frame_ms", "chart_changed_ms", "chart_only_ms"] {
            #expect((report[key]?.doubleValue ?? -1) > 0, "\(key): \(result.stdout)")
        }
        // A full frame writes more than a frame where one chart changed, which writes more than none.
        let full = report["full_frame_bytes"]?.doubleValue ?? 0
        let changed = report["chart_changed_bytes"]?.doubleValue ?? 0
        let unchanged = report["unchanged_frame_bytes"]?.doubleValue ?? 0
        #expect(full > changed && changed > unchanged && unchanged > 0, "\(result.stdout)")
        let text = try ManifoldBinary.run(["bench", "tui"], timeout: 60)
        #expect(text.status == 0 && text.stdout.contains("TUI benchmark: 200x60"), "\(text.stdout)\(text.stderr)")
    }

    @Test func benchTrainAtItsSmallestSettings() throws {
        let result = try ManifoldBinary.run(
            ["bench", "train", "--steps", "10", "--rounds", "1", "--threads", "1", "--json"], timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONValue.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(report["bench"]?.stringValue == "train")
        #expect(report["steps"]?.doubleValue == 10 && report["rounds"]?.doubleValue == 1)
        for key in ["headless_steps_per_second", "ui_steps_per_second", "frame_ms", "key_to_frame_ms"] {
            #expect((report[key]?.doubleValue ?? -1) > 0, "\(key): \(result.stdout)")
        }
        let low = report["ui_cost_low"]?.doubleValue ?? .nan
        let high = report["ui_cost_high"]?.doubleValue ?? .nan
        #expect(low <= high, "\(result.stdout)")
    }

    /// The gallery draws its first page in a terminal, turns pages, and `q` ends it with status 0.
    @Test func demoDrawsItsPagesAndQuits() throws {
        guard TmuxSession.available else { return }
        let session = try TmuxSession(
            command: "\(ManifoldBinary.path) demo; echo demo-exit=$?; sleep 30", width: 100, height: 30)
        defer { session.close() }
        #expect(session.waitFor("test accuracy"), "\(session.screen())")
        session.send("2")
        #expect(session.waitFor("latent norm"), "\(session.screen())")
        #expect(!session.screen().contains("test accuracy"), "\(session.screen())")
        session.send("q")
        #expect(session.waitFor("demo-exit=0"), "\(session.screen())")
    }
}
