import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// The class sweep (`g` in the Attack lab) at the sizes the workbench supports: both strips keep all eleven
/// images, and the figures keep a row per classifier.
@Suite struct ClassSweepLayoutTests {
    /// A finished sweep of two classifiers on test image 0: a strip each (the clean image, then the image
    /// PGD made towards each class, one of the robust run's missed), and the sweep's five figures.
    /// `classNames` replace the digits 0-9 of the targets (their captions `→name 0.9k`).
    static func frame(width: Int, height: Int, classNames: [String] = (0..<10).map(String.init)) -> [String] {
        WorkbenchFixture.jobFrame(kind: .attack, title: "pgd → every class", width: width, height: height) {
            snapshot in
            let digit = (0..<16).map { Float($0 % 5) / 4 }
            for index in 0..<2 {
                snapshot.images["sweep \(index)"] =
                    [Snapshot.Image(width: 4, height: 4, values: digit, caption: "clean")]
                    + classNames.enumerated().map { target, name in
                        let caption = index == 1 && target == 8 ? "→\(name) ≠ 3" : "→\(name) 0.9\(target % 10)"
                        return Snapshot.Image(width: 4, height: 4, values: digit.reversed(), caption: caption)
                    }
            }
            snapshot.figures = [
                ("image", "true class 0"), ("attack", "targeted PGD, 100 steps, no random start"),
                ("eps", "L-inf 0.5"), ("std-mlp", "10/10 targets, mean p 1.00"),
                ("rob-mlp", "9/10 targets, mean p 0.87"),
            ]
        }
    }

    /// 80x24 holds both strips whole (two-row images, captions cut with a mark) and every figure.
    @Test func at80x24() {
        expectLines(
            Self.frame(width: 80, height: 24),
            [
                " 1 Home │ 2 Train │ 3 Sample │ 4 Attack lab │ 5 Compare │ 6 Runs │ 7 Robustness",
                "╭ std-mlp · clean, then targeted PGD towards each class ───────────────────────╮",
                "│ =.-+  .=#+  .=#+  .=#+  .=#+  .=#+  .=#+  .=#+  .=#+  .=#+  .=#+             │",
                "│ +#=.  +-.=  +-.=  +-.=  +-.=  +-.=  +-.=  +-.=  +-.=  +-.=  +-.=             │",
                "│clean →0 0… →1 0… →2 0… →3 0… →4 0… →5 0… →6 0… →7 0… →8 0… →9 0.…            │",
                "╰──────────────────────────────────────────────────────────────────────────────╯",
                "╭ rob-mlp · clean, then targeted PGD towards each class ───────────────────────╮",
                "│ =.-+  .=#+  .=#+  .=#+  .=#+  .=#+  .=#+  .=#+  .=#+  .=#+  .=#+             │",
                "│ +#=.  +-.=  +-.=  +-.=  +-.=  +-.=  +-.=  +-.=  +-.=  +-.=  +-.=             │",
                "│clean →0 0… →1 0… →2 0… →3 0… →4 0… →5 0… →6 0… →7 0… →8 ≠… →9 0.…            │",
                "╰──────────────────────────────────────────────────────────────────────────────╯",
                "╭ perceptually aligned gradients (Tsipras et al. 2019) ────────────────────────╮",
                "│                                                                              │",
                "│image                                                             true class 0│",
                "│attack                                 targeted PGD, 100 steps, no random sta…│",
                "│eps                                                                  L-inf 0.5│",
                "│std-mlp                                             10/10 targets, mean p 1.00│",
                "│rob-mlp                                              9/10 targets, mean p 0.87│",
                "│                                                                              │",
                "╰──────────────────────────────────────────────────────────────────────────────╯",
                "╭ progress ────────────────────────────╮╭ throughput ──────────────────────────╮",
                "│         ▌   25% · paused             ││paused                                │",
                "╰──────────────────────────────────────╯╰──────────────────────────────────────╯",
                " q quit  ? keys  started pgd → every class paused pgd → every class · step 3/12",
            ])
    }

    /// 120x40 holds a strip of four-row images each, and every figure.
    @Test func at120x40() {
        // The golden leaves out the right-hand column (the panels' right border), to keep its lines under 120.
        let frame = Self.frame(width: 120, height: 40).map { line in
            var text = String(line.prefix(119))
            while text.last == " " { text.removeLast() }
            return text
        }
        expectLines(frame, sweepAt120x40.components(separatedBy: "\n"))
    }

    /// Bug: at 80x20 and 80x18 the figures panel had three rows, the setup (image, attack, eps), and lost
    /// both classifiers' rows, the sweep's result; at 60x18 each strip lost →8 and →9 (cells of 6 columns, 9
    /// of 11 across) with no mark.
    @Test func smallTerminalsKeepEveryImageAndBothClassifierRows() {
        for (width, height) in [(80, 20), (80, 18), (70, 20), (60, 18)] {
            let frame = Self.frame(width: width, height: height)
            let text = frame.joined(separator: "\n")
            #expect(frame.contains { $0.contains("std-mlp") && $0.contains("10/10 targets") }, "\(text)")
            #expect(frame.contains { $0.contains("rob-mlp") && $0.contains("9/10 targets") }, "\(text)")
            let captionRows = frame.filter { $0.contains("→9") }
            #expect(captionRows.count == 2, "\(width)x\(height): \(text)")
            for row in captionRows {
                let targets = (0..<10).filter { row.contains("→\($0)") }
                #expect(targets.count == 10, "\(width)x\(height): \(row)")
            }
        }
    }
}

extension ClassSweepLayoutTests {
    /// Bug: with 26 classes (an IDX folder of letters), each strip squeezed 27 images onto one line at 120x40
    /// and 140x45: cells of 4 and 5 columns, the 4x4 images shrunk to one row and every caption cut to `→a…`.
    /// The strips now wrap (two lines at 120x40, three at 140x45): the images are drawn at full size (two rows
    /// or more), and the captions are whole.
    @Test func manyClassesWrapOntoLinesWithLargerImages() {
        let letters = (0..<26).map { String(UnicodeScalar(97 + $0)!) }
        for (width, height) in [(120, 40), (140, 45)] {
            let frame = Self.frame(width: width, height: height, classNames: letters)
            let text = frame.joined(separator: "\n")
            for (target, letter) in letters.enumerated() where target != 8 {
                #expect(
                    frame.filter { $0.contains("→\(letter) 0.9\(target % 10)") }.count == 2,
                    "\(width)x\(height) →\(letter):\n\(text)")
            }
            // Each strip's panel: its title row, then image rows until the first caption row.
            let top = frame.firstIndex { $0.contains("std-mlp · clean") }!
            let caption = frame[top...].firstIndex { $0.contains("clean") && !$0.contains("std-mlp") }!
            #expect(caption - top - 1 >= 2, "\(width)x\(height):\n\(text)")
            #expect(frame.contains { $0.contains("std-mlp") && $0.contains("10/10 targets") }, "\(text)")
            #expect(frame.contains { $0.contains("rob-mlp") && $0.contains("9/10 targets") }, "\(text)")
        }
    }

    /// The layout keeps ten classes on one line at the workbench's sizes, and wraps only where that makes the
    /// images taller.
    @Test func sweepLayoutWrapsOnlyWhereImagesGrow() {
        #expect(AttackScreen.sweepLayout(count: 11, width: 78, height: 5).lines == 1)
        #expect(AttackScreen.sweepLayout(count: 11, width: 118, height: 12).lines == 1)
        let letters = AttackScreen.sweepLayout(count: 27, width: 118, height: 13)
        #expect(letters.lines == 2 && letters.imageRows == 3 && letters.cellWidth == 8)
        // Too short to wrap: one line, one-row images, as before.
        #expect(AttackScreen.sweepLayout(count: 27, width: 118, height: 3).lines == 1)
    }
}

/// `ClassSweepLayoutTests.frame(width: 120, height: 40)` without its right-hand column.
private let sweepAt120x40 = #"""
 1 Home │ 2 Train │ 3 Sample │ 4 Attack lab │ 5 Compare │ 6 Runs │ 7 Robustness                      Manifold workbench
╭ std-mlp · clean, then targeted PGD towards each class ───────────────────────────────────────────────────────────────
│   ::==**    @@**==    @@**==    @@**==    @@**==    @@**==    @@**==    @@**==    @@**==    @@**==    @@**==
│ @@  ::==  ::  @@**  ::  @@**  ::  @@**  ::  @@**  ::  @@**  ::  @@**  ::  @@**  ::  @@**  ::  @@**  ::  @@**
│ **@@  ::  ==::  @@  ==::  @@  ==::  @@  ==::  @@  ==::  @@  ==::  @@  ==::  @@  ==::  @@  ==::  @@  ==::  @@
│ ==**@@    **==::    **==::    **==::    **==::    **==::    **==::    **==::    **==::    **==::    **==::
│  clean    →0 0.90   →1 0.91   →2 0.92   →3 0.93   →4 0.94   →5 0.95   →6 0.96   →7 0.97   →8 0.98   →9 0.99
╰──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
╭ rob-mlp · clean, then targeted PGD towards each class ───────────────────────────────────────────────────────────────
│   ::==**    @@**==    @@**==    @@**==    @@**==    @@**==    @@**==    @@**==    @@**==    @@**==    @@**==
│ @@  ::==  ::  @@**  ::  @@**  ::  @@**  ::  @@**  ::  @@**  ::  @@**  ::  @@**  ::  @@**  ::  @@**  ::  @@**
│ **@@  ::  ==::  @@  ==::  @@  ==::  @@  ==::  @@  ==::  @@  ==::  @@  ==::  @@  ==::  @@  ==::  @@  ==::  @@
│ ==**@@    **==::    **==::    **==::    **==::    **==::    **==::    **==::    **==::    **==::    **==::
│  clean    →0 0.90   →1 0.91   →2 0.92   →3 0.93   →4 0.94   →5 0.95   →6 0.96   →7 0.97    →8 ≠ 3   →9 0.99
╰──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
╭ perceptually aligned gradients (Tsipras et al. 2019) ────────────────────────────────────────────────────────────────
│
│image                                                                                                     true class 0
│attack                                                                        targeted PGD, 100 steps, no random start
│eps                                                                                                          L-inf 0.5
│std-mlp                                                                                     10/10 targets, mean p 1.00
│rob-mlp                                                                                      9/10 targets, mean p 0.87
│
│
│
│
│
│
│
│
│
│
│
│
│
╰──────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
╭ progress ────────────────────────────────────────────────────────────────────╮╭ throughput ──────────────────────────
│                   ▌             25% · paused                                 ││paused
╰──────────────────────────────────────────────────────────────────────────────╯╰──────────────────────────────────────
 q quit  ? keys  started pgd → every class                                         paused pgd → every class · step 3/12
"""#
