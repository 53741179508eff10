import Engine
import Foundation
import TerminalUI
import Testing

@testable import Workbench

/// Where an image strip puts a caption: right under its image, in cells taller than the image needs too.
@Suite struct ImageCaptionPlacementTests {
    /// The Attack lab at `width` x `height` showing a 28x28 clean image (a ring) captioned "7 98.0%".
    static func attackLabFrame(width: Int, height: Int) -> [String] {
        WorkbenchFixture.jobFrame(kind: .attack, title: "pgd · fixture", width: width, height: height) { snapshot in
            let ring: [Float] = (0..<784).map { index in
                let (x, y) = (Double(index % 28) - 13.5, Double(index / 28) - 13.5)
                return abs((x * x + y * y).squareRoot() - 9) < 2.5 ? 1 : 0
            }
            snapshot.images["clean"] = [Snapshot.Image(width: 28, height: 28, values: ring, caption: "7 98.0%")]
            snapshot.images["adversarial"] = [
                Snapshot.Image(width: 28, height: 28, values: ring, caption: "7 ≠ 1 (61.0%)")
            ]
            snapshot.images["perturbation"] = [
                Snapshot.Image(width: 28, height: 28, values: ring.map { $0 * 0.1 }, caption: "L-inf 0.100")
            ]
            snapshot.figures = [("method", "pgd"), ("eps", "0.1")]
        }
    }

    /// Bug: from 160x50 up a 28x28 image (14 rows, half blocks or ASCII enlarge by whole factors) sat centred
    /// in the clean panel's rows and its caption on the panel's last row, 3 blank rows below the image at
    /// 160x50 and 6 at 200x60. The caption is under the image now, the free rows above and below the pair.
    @Test func theCaptionIsRightUnderTheImageAt160x50() {
        let panel = Self.attackLabFrame(width: 160, height: 50).prefix(28).map { String($0.prefix(38)) }
        expectLines(
            Array(panel),
            [
                " 1 Home │ 2 Train │ 3 Sample │ 4 Attac",
                "╭ clean ─────────────────────────────╮",
                "│                                    │",
                "│                                    │",
                "│                                    │",
                "│                                    │",
                "│                                    │",
                "│                                    │",
                "│          ==========                │",
                "│       ==@@@@@@@@@@@@==             │",
                "│      @@@@@@@@@@@@@@@@@@            │",
                "│    =@@@@@==      ==@@@@@=          │",
                "│    @@@@@=          =@@@@@          │",
                "│    @@@@@            @@@@@          │",
                "│    @@@@@            @@@@@          │",
                "│    @@@@@=          =@@@@@          │",
                "│    =@@@@@==      ==@@@@@=          │",
                "│      @@@@@@@@@@@@@@@@@@            │",
                "│       ==@@@@@@@@@@@@==             │",
                "│          ==========                │",
                "│                                    │",
                "│           7 98.0%                  │",
                "│                                    │",
                "│                                    │",
                "│                                    │",
                "│                                    │",
                "│                                    │",
                "╰────────────────────────────────────╯",
            ])
    }
}
