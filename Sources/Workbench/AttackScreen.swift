import Attacks
import Engine
import Foundation
import TerminalUI

/// The Attack lab: clean | adversarial | perturbation images, the class probabilities before and after,
/// the attack's figures, and the success rate per iteration or the robust accuracy over eps (for AutoAttack:
/// the robust accuracy after each component, `w`); or the backdoor view of a `manifold poison backdoor` run, the class sweep (`g`), the purification view (`p`),
/// or the feature-adversary view (`f`).
final class AttackScreen: JobScreen {
    let title = "Attack lab"
    var jobKinds: Set<Job.Kind> { [.attack] }

    /// The methods `n` cycles through: every method `AttackFactory` knows except those needing another
    /// input (`transfer` crafts on a surrogate classifier the lab does not load, `feature` needs a guide).
    static let methods = AttackFactory.methods.filter { !AttackFactory.methodsWithExtraInputs.contains($0) }

    var helpEntries: [HelpOverlay.Entry] {
        [
            .init("+ / -", "eps x1.25 / x0.8 (lpa, ppgd: the perceptual bound)"), .init("← →", "previous / next image"),
            .init("c / n", "robust accuracy over eps / next method (uap: the universal perturbation)"),
            .init("w", "AutoAttack on this classifier, component by component (which one broke this image)"),
            .init("g", "this image attacked towards every class (PGD eps 0.5), beside a run trained the other way"),
            .init("p", "purify this adversarial image step by step (newest DDPM run on the data, else DAE)"),
            .init("+ / - (purify)", "t* x1.25 / x0.8 (DAE: one noise level more / fewer); restarts the chain"),
            .init("( / ) (purify)", "fewer / more reverse steps (DDPM: halving into DDIM; DAE: per level)"),
            .init("a / A (purify)", "adaptive PGD on the defended classifier: BPDA+EOT / full gradient"),
            .init("f", "feature adversary: this image's features at a layer driven to a guide's (Sabour et al.)"),
            .init("( ) + - c C (feature)", "layer / delta x1.25, x0.8 / guide of the next, previous class"),
        ]
    }

    /// How many attacks that `n` left, paused, the lab keeps (each holds its model, data and images, about
    /// 70 MB): pressed on through the methods, the oldest of them is dropped.
    static let keptLeftAttacks = 4

    /// The method after `method` in `methods`, wrapping around (the first for an unknown one).
    static func method(after method: String) -> String {
        methods[((methods.firstIndex(of: method) ?? -1) + 1) % methods.count]
    }

    func handle(_ key: KeyEvent, workbench: inout WorkbenchState) {
        if key.key == .character("n"), let job = workbench.active, let run = job.run, !job.method.isEmpty {
            // Next method on the same classifier and image: a new job, the old one stays a `[` away, paused
            // (`n` pressed until the method is autoattack, or held down, ran every method passed at once).
            // The image, eps and perceptual bound the user picked carry over; into and out of pgd-l2 the eps
            // is scaled between L-inf and L2 (`LabRadius`), and the status line says so.
            let next = AttackScreen.method(after: job.method)
            let lab = AttackScreen.settings(of: job)
            let epsilon = LabRadius.converted(lab.epsilon, from: job.method, to: next)
            // Whether a job was added, by identity: the count stayed the same when adding it dropped an old
            // finished job, and the attack left then ran on, not paused, and the L2 message was lost.
            let newestBefore = workbench.jobs.last
            workbench.start {
                try Job.attack(
                    run: run, method: next, epsilon: epsilon, perceptualBound: lab.perceptualBound,
                    image: lab.image, running: true)
            }
            guard let started = workbench.jobs.last, started !== newestBefore else { return }
            job.runner.send(.pause)
            job.leftByNext = true
            if LabRadius.isL2(next) != LabRadius.isL2(job.method) {
                let ratio = String(format: "%g", LabRadius.l2 / LabRadius.linf)
                let (now, before) = (LabRadius.text(epsilon), LabRadius.text(lab.epsilon))
                // What `add` said of a job it dropped stays after the rescaling.
                let startedText = "started \(started.title)"
                let dropped =
                    workbench.message.hasPrefix(startedText)
                    ? String(workbench.message.dropFirst(startedText.count)) : ""
                workbench.message =
                    (LabRadius.isL2(next)
                        ? "\(next) at L2 eps \(now): \(ratio)x the lab's L-inf eps \(before)"
                        : "\(next) at eps \(now): the lab's L2 eps \(before) / \(ratio)") + dropped
            }
            if let dropped = AttackScreen.dropOldestLeftAttack(workbench: &workbench) {
                workbench.message +=
                    " · dropped the paused \(dropped) (the lab keeps \(AttackScreen.keptLeftAttacks) paused attacks)"
            }
            return
        }
        if key.key == .character("w"), let job = workbench.active, let run = job.run, !job.method.isEmpty {
            let lab = AttackScreen.settings(of: job)
            let epsilon = LabRadius.converted(lab.epsilon, from: job.method, to: "autoattack")
            // One AutoAttack of a classifier at a time: the job is shown here, so `w` held down started one a
            // repeat (30 held 1.9 GB), all running at once.
            workbench.startOnce(
                matching: { $0.method == "autoattack" && $0.run?.path == run.path },
                already: "w: AutoAttack on \(run.name) is under way already (x stops it)"
            ) {
                try Job.attack(run: run, method: "autoattack", epsilon: epsilon, image: lab.image, running: true)
            }
            return
        }
        if key.key == .character("g"), let job = workbench.active, let run = job.run, !job.method.isEmpty {
            let image = AttackScreen.selection(job.runner.snapshot).image
            let newest = workbench.jobs.last
            let dropped = workbench.start { try Job.classSweep(run: run, image: image, running: true) }
            // A single strip: say which run the second needs and how to train it, then any older job that starting
            // this one dropped. (The job was started if it is the newest: counting the jobs, a press that dropped
            // one looked like a failed start, and the hint was not given.)
            if workbench.jobs.last !== newest, let missing = Job.missingSweepPartner(of: run) {
                workbench.message = missing + dropped
            }
            return
        }
        if key.key == .character("f"), let job = workbench.active, let run = job.run, !job.method.isEmpty {
            let image = AttackScreen.selection(job.runner.snapshot).image
            workbench.start { try Job.featureAdversary(run: run, image: image, running: true) }
            return
        }
        if key.key == .character("p"), let job = workbench.active, let run = job.run, !job.method.isEmpty {
            let s = job.runner.snapshot
            // The lab's eps: for a method without one (CW, DeepFool...), the eps the job started with.
            let lab = AttackScreen.settings(of: job)
            // The lab's adversarial image once the attack has stepped; before that the view makes its own.
            let stepped = s.figures.first { $0.name == "iteration" }.map { !$0.value.hasPrefix("0/") } ?? false
            let adversarial = stepped ? s.images["adversarial"]?.first?.values : nil
            let method = job.method
            workbench.start {
                // The purifier is the newest DDPM (else DAE) run beside the classifier's.
                try Job.purification(
                    run: run, image: lab.image, adversarial: adversarial, epsilon: lab.epsilon, method: method,
                    running: true, root: run.root)
            }
            return
        }
        workbench.handleJobKey(key)
    }

    /// Drops the oldest attack `n` left once more than `keptLeftAttacks` are kept (one shown on a screen, or
    /// running again after `[` and Space, stays); returns its title.
    private static func dropOldestLeftAttack(workbench: inout WorkbenchState) -> String? {
        let left = workbench.jobs.indices.filter { workbench.jobs[$0].leftByNext }
        guard left.count > keptLeftAttacks else { return nil }
        let shown = Set(workbench.shown.values)
        guard
            let oldest = left.first(where: {
                !shown.contains($0) && workbench.jobs[$0].runner.snapshot.status != .running
            })
        else { return nil }
        let title = workbench.jobs[oldest].title
        workbench.removeJob(at: oldest)
        return title
    }

    /// The lab's selected image and eps, as its figures name them ("image": "INDEX (true: CLASS)", "eps":
    /// "0.1", or "1 (L2)" for pgd-l2).
    static func selection(_ s: Snapshot) -> (image: Int, epsilon: Float) {
        let figure = s.figures.first { $0.name == "image" }?.value ?? "0"
        return (Int(figure.prefix { $0.isNumber }) ?? 0, number(s, "eps") ?? 0.1)
    }

    /// The number that figure `name` starts with, if it does ("none" does not).
    private static func number(_ s: Snapshot, _ name: String) -> Float? {
        s.figures.first { $0.name == name }.flatMap { Float($0.value.prefix { $0 != " " }) }
    }

    /// What the user set in the lab, for the attack `n` or `w` starts: the image shown, the eps (the one
    /// the job started with while its method has none; pgd-l2's an L2 radius) and the perceptual bound
    /// (LPA, PPGD; else nil).
    static func settings(of job: Job) -> (image: Int, epsilon: Float, perceptualBound: Float?) {
        let s = job.runner.snapshot
        return (selection(s).image, number(s, "eps") ?? job.epsilon, number(s, "perceptual bound"))
    }

    func placeholder(workbench: WorkbenchState) -> (title: String, text: String) {
        (
            "Attack lab",
            "No attack running. Press Enter to attack a classifier with PGD (it trains a small MLP first if no classifier run exists)."
        )
    }

    func render(job: Job, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let s = job.runner.snapshot
        if let trigger = s.images["trigger"] {
            // The backdoor view of a `manifold poison backdoor` run.
            let rows = Layout.vertical([.fill(1), .fill(1)]).split(area)
            let top = Layout.horizontal([.fill(1), .length(44)]).split(rows[0])
            workbench.renderImageStrip(trigger, title: "trigger (BadNets, Gu et al. 2017)", in: top[0], buffer: &buffer)
            workbench.renderFigures(s.figures, title: "clean vs triggered", in: top[1], buffer: &buffer)
            workbench.renderImageStrip(
                s.images["poisoned examples"] ?? [], title: "poisoned training examples", in: rows[1], buffer: &buffer)
            return
        }
        if s.images["purify x_t"] != nil {
            renderPurification(s, in: area, buffer: &buffer, workbench: workbench)
            return
        }
        if s.images["guide"] != nil {
            renderFeatureAdversary(s, in: area, buffer: &buffer, workbench: workbench)
            return
        }
        if s.images["sweep 0"] != nil {
            renderClassSweep(s, in: area, buffer: &buffer, workbench: workbench)
            return
        }
        let sanity = SanityPanel(s.checks, theme: workbench.theme)
        // At small heights the sanity panel gives up lines (and goes, when no check fired) until the
        // probability panels hold every class (and the AutoAttack panel beside them its clean row and a row
        // per component); when that is not enough (60x18, 70x20), the images give up rows.
        let classes = BarChart(
            bars: (s.bars["clean"] ?? []).map { .init(label: $0.label, value: $0.value) }, overflow: .columns)
        func layout(sanityLines: Int, probabilities: Constraint = .fill(2)) -> [Rect] {
            Layout.vertical([.fill(3), probabilities] + sanity.rows(maximumLines: sanityLines) + [.length(3)])
                .split(area)
        }
        let columns = { (row: Rect) in Layout.horizontal([.fill(1), .fill(1), .fill(1)]).split(row) }
        let autoAttackRows = s.autoAttack.map { $0.rows.count + 1 } ?? 0
        let needed = { (row: Rect) in
            max(autoAttackRows, columns(row).prefix(2).map { classes.rowsNeeded(width: $0.width - 2) }.max() ?? 0)
        }
        let fits = { (row: Rect) in row.height - 2 >= needed(row) }
        var sanityLines = min(8, sanity.lines.count)
        var rows = layout(sanityLines: sanityLines)
        while sanityLines > sanity.minimumLines, !fits(rows[1]) {
            sanityLines -= 1
            rows = layout(sanityLines: sanityLines)
        }
        if !fits(rows[1]) { rows = layout(sanityLines: sanityLines, probabilities: .length(needed(rows[1]) + 2)) }
        // Below 80 columns the figures keep two fifths of the row: at 44 they left the images 3 columns each
        // at 60 (no picture, no caption).
        let figuresWidth = area.width >= 80 ? 44 : area.width * 2 / 5
        let top = Layout.horizontal([.fill(1), .fill(1), .fill(1), .length(figuresWidth)]).split(rows[0])
        workbench.renderImageStrip(s.images["clean"] ?? [], title: "clean", in: top[0], buffer: &buffer)
        workbench.renderImageStrip(s.images["adversarial"] ?? [], title: "adversarial", in: top[1], buffer: &buffer)
        workbench.renderImageStrip(
            s.images["perturbation"] ?? [], title: "perturbation", in: top[2], buffer: &buffer, signed: true)
        workbench.renderFigures(s.figures, title: "attack", in: top[3], buffer: &buffer)
        let bottom = columns(rows[1])
        renderProbabilities(s, in: bottom, buffer: &buffer, workbench: workbench)
        if !sanity.rows(maximumLines: sanityLines).isEmpty {
            sanity.render(in: rows[2], buffer: &buffer, workbench: workbench)
        }
        workbench.renderProgress(s, in: rows[rows.count - 1], buffer: &buffer)
    }

    /// Class probabilities of the clean and adversarial image, then the success-rate or robustness curve.
    private func renderProbabilities(_ s: Snapshot, in areas: [Rect], buffer: inout Buffer, workbench: WorkbenchState) {
        let theme = workbench.theme
        for (index, name) in ["clean", "adversarial"].enumerated() {
            let bars = s.bars[name] ?? []
            let best = bars.indices.max { bars[$0].value < bars[$1].value }
            buffer.render(
                BarChart(
                    bars: bars.enumerated().map {
                        .init(label: $1.label, value: $1.value, color: theme.classColor($0))
                    },
                    maximum: 1, highlighted: best, labelStyle: theme.textStyle, highlightStyle: theme.accentStyle,
                    overflow: .columns),
                in: workbench.panel("probabilities · \(name)", areas[index], &buffer))
        }
        let curves = s.curves.keys.sorted()
        if let progress = s.autoAttack {
            renderAutoAttack(
                progress, image: AttackScreen.selection(s).image, in: areas[2], buffer: &buffer, workbench: workbench)
        } else if curves.isEmpty, let perceptual = s.series["perceptual_distance"] {
            // LPA, PPGD: the distance the bound is on and the L2 norm, as the attack runs.
            buffer.render(
                LineChart(
                    series: [
                        .init(name: "perceptual distance", values: perceptual, color: theme.seriesColor(0)),
                        .init(name: "L2", values: s.series["l2"] ?? [], color: theme.seriesColor(1)),
                        .init(
                            name: "success rate", values: s.series["success_rate"] ?? [], color: theme.seriesColor(3)),
                    ],
                    axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle, legendStyle: theme.textStyle),
                in: workbench.panel("batch means per iteration (+/-: bound)", areas[2], &buffer))
        } else if curves.isEmpty {
            buffer.render(
                LineChart(
                    series: [
                        .init(name: "success rate", values: s.series["success_rate"] ?? [], color: theme.seriesColor(3))
                    ],
                    yRange: 0...1, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle,
                    legendStyle: theme.textStyle),
                in: workbench.panel("success rate per iteration (c: accuracy over eps)", areas[2], &buffer))
        } else {
            buffer.render(
                LineChart(
                    series: curves.enumerated().map {
                        .init(name: $1, values: s.curves[$1]!.y, xValues: s.curves[$1]!.x, color: theme.seriesColor($0))
                    },
                    yRange: 0...1, axisStyle: theme.borderStyle, labelStyle: theme.mutedStyle,
                    legendStyle: theme.textStyle),
                in: workbench.panel(
                    "robust accuracy over eps (\(curves.contains("pgd-l2") ? "L2" : "L-inf"))", areas[2], &buffer))
        }
    }

    /// The class sweep (`Job.classSweep`): a strip per classifier, the clean image then one image per
    /// target class, each strip as tall as lets all its images fit across; the figures below. Every image
    /// stays in view at every size (below 6 columns a cell, captions cut with a mark); in a short terminal
    /// the strips give up rows before the figures lose a classifier's row, and those rows come first in a
    /// figures panel too short for all (the panel's scroll mark says there is more). With many classes (an
    /// IDX folder of 26 letters), a strip whose images would be under 4 rows tall on one line wraps onto
    /// as many lines as make them largest.
    private func renderClassSweep(_ s: Snapshot, in area: Rect, buffer: inout Buffer, workbench: WorkbenchState) {
        let strips = (0..<2).compactMap { s.images["sweep \($0)"] }
        let columns = max(strips.map(\.count).max() ?? 1, 1)
        // The figures after the first three (image, attack, eps) name the classifiers, in strip order.
        let setup = min(3, s.figures.count)
        let classifierFigures = s.figures.count - setup
        let stripsHeight = area.height - 3 - (classifierFigures + 2)
        let layout = Self.sweepLayout(
            count: columns, width: area.width - 2, height: stripsHeight / max(strips.count, 1) - 2)
        let height = max(4, min(layout.lines * (layout.imageRows + 1) + 2, stripsHeight / max(strips.count, 1)))
        let parts = Layout.vertical(strips.map { _ in .length(height) } + [.fill(1), .length(3)]).split(area)
        let names = s.figures.dropFirst(setup).map(\.name)
        for (index, strip) in strips.enumerated() {
            let name = index < names.count ? names[index] : "classifier \(index + 1)"
            let title = "\(name) · clean, then targeted PGD towards each class"
            if layout.lines == 1 {
                workbench.renderImageStrip(
                    strip, title: title, in: parts[index], buffer: &buffer, cellWidth: layout.cellWidth)
                continue
            }
            let inner = workbench.panel(title, parts[index], &buffer)
            let perLine = (columns + layout.lines - 1) / layout.lines
            for line in 0..<layout.lines where line * perLine < strip.count {
                let row = Rect(
                    x: inner.x, y: inner.y + line * (layout.imageRows + 1), width: inner.width,
                    height: layout.imageRows + 1
                ).intersection(inner)
                workbench.renderImageRow(
                    Array(strip[(line * perLine)..<min(strip.count, (line + 1) * perLine)]), in: row, buffer: &buffer,
                    cellWidth: layout.cellWidth, firstID: 1 + line * perLine)
            }
        }
        let figuresArea = parts[strips.count]
        let figures =
            figuresArea.height - 2 >= s.figures.count
            ? s.figures : Array(s.figures.dropFirst(setup) + s.figures.prefix(setup))
        workbench.renderFigures(
            figures, title: "perceptually aligned gradients (Tsipras et al. 2019)", in: figuresArea, buffer: &buffer)
        workbench.renderProgress(s, in: parts[parts.count - 1], buffer: &buffer)
    }

    /// How a strip of `count` images fills `width` x `height` cells: on one line, its images as tall as
    /// cells of an equal share of the width allow (`renderImageStrip` makes a cell 2 x rows + 2 wide);
    /// where that leaves them under 4 rows, on the number of lines that makes them tallest, if any does.
    static func sweepLayout(count: Int, width: Int, height: Int) -> (lines: Int, imageRows: Int, cellWidth: Int) {
        func across(_ lines: Int) -> Int { max(1, width / ((count + lines - 1) / lines)) }
        func imageRows(_ lines: Int) -> Int { min(max(0, (across(lines) - 2) / 2), height / lines - 1) }
        let oneLineRows = max(1, (across(1) - 2) / 2)
        var best = (lines: 1, imageRows: oneLineRows, cellWidth: min(oneLineRows * 2 + 2, across(1)))
        guard imageRows(1) < 4, count > 1 else { return best }
        var tallest = max(0, imageRows(1))
        for lines in 2...count where imageRows(lines) > tallest {
            tallest = imageRows(lines)
            best = (lines, tallest, min(tallest * 2 + 2, across(lines)))
        }
        return best
    }
}
