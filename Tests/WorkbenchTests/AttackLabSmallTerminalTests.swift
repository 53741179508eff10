import Attacks
import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The Attack lab at the smallest terminal the workbench draws in (60x18) and at the usual sizes: the
/// probability panels show every class.
@Suite struct AttackLabSmallTerminalTests {
    /// A lab job on ten classes (every clean probability 0.01, every adversarial one 0.02, so each class
    /// reads `LABEL 0.0N` once the bars are left out), with `checks` as its sanity checks.
    static func job(checks: [SanityFlag] = []) -> Job {
        WorkbenchFixture.job(kind: .attack, title: "pgd · fixture") { snapshot in
            snapshot.bars["clean"] = (0..<10).map { .init(label: "\($0)", value: 0.01) }
            snapshot.bars["adversarial"] = (0..<10).map { .init(label: "\($0)", value: 0.02) }
            snapshot.figures = [("method", "pgd"), ("eps", "0.1"), ("image", "0 (true: 3)")]
            snapshot.checks = checks
        }
    }

    /// The rows inside the probability panels of `frame`, without the bars and with runs of spaces made one.
    static func probabilityRows(_ frame: [String]) throws -> String {
        let top = try #require(frame.firstIndex { $0.hasPrefix("╭ probabilities") }, "\(frame)")
        let bottom = try #require(frame[(top + 1)...].firstIndex { $0.hasPrefix("╰") }, "\(frame)")
        return frame[(top + 1)..<bottom].map { row in
            row.filter { !"▏▎▍▌▋▊▉█".contains($0) }.split(separator: " ").joined(separator: " ")
        }.joined(separator: "\n")
    }

    /// Bug: at 60x18 the probability panels were four rows tall and held 8 of the 10 classes. The images
    /// above now give up rows until every class shows; 80x24 and 120x40 show them all as before.
    @Test(arguments: [(60, 18), (80, 24), (120, 40)])
    func everyClassShows(size: (width: Int, height: Int)) throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = Self.job()
        defer { job.runner.send(.stop) }
        state.add(job)
        let frame = WorkbenchFixture.frame(state, width: size.width, height: size.height)
        let rows = try Self.probabilityRows(frame)
        for label in 0..<10 {
            #expect(
                rows.contains("\(label) 0.01") && rows.contains("\(label) 0.02"),
                "\(size): class \(label) missing:\n\(frame.joined(separator: "\n"))")
        }
        // The images keep a row of their own above.
        #expect(frame[1].hasPrefix("╭") && frame[2].hasPrefix("│"), "\(frame.joined(separator: "\n"))")
    }

    /// Bug: at 60x18, once the checks had run, the sanity panel kept a line that said no check fired while
    /// the images above shrank to a single row, too small to read. With no check fired the panel now goes
    /// first; a fired check keeps its line.
    @Test func theImagesOutlastAQuietSanityPanel() throws {
        let clear = SanityFlag.Check.allCases.map { SanityFlag($0, status: .clear, value: 0, figure: "figure") }
        var fired = clear
        fired[0] = SanityFlag(SanityFlag.Check.allCases[0], status: .fired, value: 1, figure: "figure")
        for (checks, panelShows) in [(clear, false), (fired, true)] {
            let root = WorkbenchFixture.runsRoot()
            defer { cleanup(root) }
            var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
            let job = Self.job(checks: checks)
            defer { job.runner.send(.stop) }
            state.add(job)
            let frame = WorkbenchFixture.frame(state, width: 60, height: 18)
            let text = frame.joined(separator: "\n")
            #expect(frame.contains { $0.contains("sanity checks") } == panelShows, "\(text)")
            if !panelShows {
                // The images' panels: their top border on row 1, at least 3 rows inside.
                let imageBottom = try #require(frame.indices.first { $0 > 1 && frame[$0].hasPrefix("╰") }, "\(text)")
                #expect(imageBottom - 2 >= 3, "\(text)")
            }
            let rows = try Self.probabilityRows(frame)
            for label in 0..<10 { #expect(rows.contains("\(label) 0.01"), "class \(label) missing:\n\(text)") }
        }
    }

    /// Bug: below 80 columns the figures panel kept 44 columns, so at 60x18 each image had 3 (titles "…", no
    /// picture to speak of, the captions cut to "0 …") and at 70x20 six. Below 80 columns the figures now keep
    /// two fifths of the row: at 60 each image gets 12 columns, a picture and its prediction.
    @Test func theImagesAndCaptionsAreReadableBelowEightyColumns() throws {
        let root = WorkbenchFixture.runsRoot()
        defer { cleanup(root) }
        var state = WorkbenchFixture.workbench(screens: WorkbenchFixture.standardScreens(root: root))
        let job = WorkbenchFixture.job(kind: .attack, title: "pgd · fixture") { snapshot in
            let digit: [Float] = (0..<784).map { index -> Float in Float((index / 28 + index % 28) % 7) / 6 }
            snapshot.images["clean"] = [Snapshot.Image(width: 28, height: 28, values: digit, caption: "0 100%")]
            snapshot.images["adversarial"] = [
                Snapshot.Image(width: 28, height: 28, values: digit, caption: "8 100%")
            ]
            snapshot.images["perturbation"] = [
                Snapshot.Image(
                    width: 28, height: 28, values: digit.map { value -> Float in value - 0.5 }, caption: "L-inf 0.1")
            ]
            snapshot.bars["clean"] = (0..<10).map { .init(label: "\($0)", value: 0.01) }
            snapshot.bars["adversarial"] = (0..<10).map { .init(label: "\($0)", value: 0.02) }
            snapshot.figures = [("method", "pgd"), ("eps", "0.1"), ("iteration", "20/20")]
        }
        defer { job.runner.send(.stop) }
        state.add(job)
        let frame = WorkbenchFixture.frame(state, width: 60, height: 18)
        let text = frame.joined(separator: "\n")
        #expect(frame[1].hasPrefix("╭ clean ───╮╭ adversa… ╮╭ perturb… ╮╭ attack ──"), "\(text)")
        #expect(frame[5].hasPrefix("│ 0 100%   ││ 8 100%   ││L-inf 0…  ││iteration"), "\(text)")
        for caption in ["method", "pgd", "eps", "20/20"] {
            #expect(frame.contains { $0.contains(caption) }, "\(caption) missing:\n\(text)")
        }
        let seventy = WorkbenchFixture.frame(state, width: 70, height: 20)
        #expect(seventy[1].hasPrefix("╭ clean ─────╮╭ adversari… ╮╭ perturbat… ╮╭ attack ──"), "\(seventy[1])")
    }
}
