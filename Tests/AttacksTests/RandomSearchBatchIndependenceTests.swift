import Attacks
import TensorCore
import Testing

/// The random searches (Square L-inf and L2, one-pixel) draw each image's randomness from the seed and the
/// image's own pixels, as PGD's and APGD's starts: an image ends at the same point whichever batch it is
/// attacked in, so `attack square --batch` (a memory knob) and `--n` do not move its figures.
struct RandomSearchBatchIndependenceTests {
    enum Method: String, CaseIterable, CustomTestStringConvertible {
        case squareLinf, squareL2, onePixel
        var testDescription: String { rawValue }

        func attack(seed: UInt64) -> any Attack {
            switch self {
            case .squareLinf, .squareL2: SquareAttack(queries: 30, seed: seed)
            case .onePixel: OnePixel(pixels: 2, population: 12, generations: 4, seed: seed)
            }
        }

        var threat: ThreatModel {
            switch self {
            case .squareLinf: ThreatModel(norm: .linf, epsilon: 0.1)
            case .squareL2: ThreatModel(norm: .l2, epsilon: 1)
            case .onePixel: ThreatModel(epsilon: 2)
            }
        }
    }

    /// Bug: `attack square --run R --n 40 --queries 50` gave robust accuracy 0.575 at `--batch 40` and
    /// 0.600 at `--batch 7` (one generator per batch drew the squares of every image still being attacked
    /// in turn, so an image's search depended on the batch it fell in, its place there and which of its
    /// neighbours were already fooled); one-pixel's populations the same. Now every row of two batches,
    /// attacked apart, is the same as that row of the whole set, bit for bit.
    @Test(arguments: Method.allCases)
    func anImageEndsAtTheSamePointInEveryBatch(method: Method) throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(12)
        let attack = method.attack(seed: 5)
        let whole = try attack.attack(model, images: images, labels: labels, threat: method.threat)
        for range in [0..<5, 5..<12] {
            let part = try attack.attack(
                model, images: images.rows(range), labels: Array(labels[range]), threat: method.threat)
            let same = part.adversarial.scalars == whole.adversarial.rows(range).scalars
            #expect(same, "\(method): rows \(range) attacked apart differ from the whole set's")
        }
        // The search is random all the same: another seed moves it.
        let other = try method.attack(seed: 6).attack(model, images: images, labels: labels, threat: method.threat)
        let moved = other.adversarial.scalars != whole.adversarial.scalars
        #expect(moved, "\(method): seeds 5 and 6 gave the same points")
    }
}
