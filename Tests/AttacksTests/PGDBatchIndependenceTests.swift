import Attacks
import TensorCore
import Testing

/// PGD's random start is drawn per image, from the seed, the restart and the image's pixels: an image
/// ends at the same point whichever batch it is attacked in, so `attack pgd --batch` (a memory knob)
/// and the number of images attacked do not move its figures.
struct PGDBatchIndependenceTests {
    /// Bug: `attack pgd --run R --n 40` gave robust accuracy 0.500 at `--batch 40` and 0.425 at `--batch 7`
    /// (one generator per batch drew every image's start in turn, so an image's start depended on the
    /// batch it fell in and its place there). Now every row of two batches, attacked apart, is the
    /// same as that row of the whole set, bit for bit, at L-inf and L2 and over two restarts.
    @Test(arguments: [PerturbationNorm.linf, .l2])
    func anImageEndsAtTheSamePointInEveryBatch(norm: PerturbationNorm) throws {
        let model = TinyModel.make()
        let (images, labels) = TinyModel.testBatch(12)
        let threat = ThreatModel(norm: norm, epsilon: norm == .linf ? 0.1 : 1)
        let attack = PGD(steps: 4, restarts: 2, seed: 7)
        let whole = try attack.attack(model, images: images, labels: labels, threat: threat).adversarial
        for range in [0..<5, 5..<12] {
            let part = try attack.attack(
                model, images: images.rows(range), labels: Array(labels[range]), threat: threat
            ).adversarial
            let same = part.scalars == whole.rows(range).scalars
            #expect(same, "\(norm): rows \(range) attacked apart differ from the whole set's")
        }
        // The start is random all the same: another seed moves it.
        let other = try PGD(steps: 4, restarts: 2, seed: 8).attack(
            model, images: images, labels: labels, threat: threat
        ).adversarial
        let moved = other.scalars != whole.scalars
        #expect(moved, "\(norm): seeds 7 and 8 gave the same points")
    }
}
