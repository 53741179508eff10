import Foundation
import Models
import NeuralNet
import TensorCore

/// The spatial (rotation and translation) attack by grid search (Engstrom, Tran, Tsipras, Schmidt & Madry
/// 2019, "Exploring the Landscape of Spatial Robustness"): every image is rotated about its centre and
/// shifted, with bilinear resampling (zero outside the image), over a grid of transforms, and the worst
/// case is kept: a transform that fools the model if any (the one with the highest cross-entropy to the
/// label; targeted: the lowest to the target), else the one with the highest loss.
///
/// The distance is the transform itself, not a pixel norm (the reported L-inf/L2/L0 are large).
/// `perImageExtras["rotation"]` (degrees), `["shift_x"]` and `["shift_y"]` (pixels, +x right, +y down)
/// name the transform that fooled each image (NaN where none did).
///
/// - `maxRotation`: degrees, the grid spans ±maxRotation (default 30). `rotationSteps`: angles in the grid
///   (default 7: -30, -20, ..., 30). `maxShift`: pixels, every integer shift in ±maxShift along each
///   axis (default 3: 7 x 7 shifts). The grid is rotationSteps x (2 maxShift + 1)^2 transforms.
/// Threat model: the goal only (`norm` and `epsilon` are ignored). Input `[batch, pixels]` of
/// `imageHeight x imageWidth` images. Only forward passes: one query per image per transform.
public struct SpatialTransformation: Attack {
    public var maxRotation: Float
    public var rotationSteps: Int
    public var maxShift: Int

    public var name: String { "spatial" }
    public var citation: String {
        "Engstrom, Tran, Tsipras, Schmidt & Madry 2019, Exploring the Landscape of Spatial Robustness"
    }

    public init(maxRotation: Float = 30, rotationSteps: Int = 7, maxShift: Int = 3) {
        self.maxRotation = maxRotation
        self.rotationSteps = rotationSteps
        self.maxShift = maxShift
    }

    /// The grid's angles in degrees.
    public var angles: [Float] {
        rotationSteps == 1
            ? [0] : (0..<rotationSteps).map { -maxRotation + 2 * maxRotation * Float($0) / Float(rotationSteps - 1) }
    }

    public func makeRun(classifier: Classifier, images: Tensor, labels: [Int], threat: ThreatModel) throws -> AttackRun
    {
        guard rotationSteps >= 1, maxShift >= 0, maxRotation >= 0, maxRotation <= 180 else {
            throw AttackError("spatial needs rotation in [0, 180] degrees, >= 1 angle and shift >= 0")
        }
        let targets = try validate(
            classifier: classifier, images: images, labels: labels, threat: threat, checkEpsilon: false)
        return SpatialRun(
            attack: self, classifier: classifier, images: images.detached(), labels: labels, targets: targets)
    }

    /// Bilinearly resamples one `height x width` image rotated by `degrees` about its centre, then shifted
    /// by (`dx`, `dy`) pixels; pixels sampled outside the image are 0.
    public static func transform(
        _ image: UnsafePointer<Float>, height: Int, width: Int, degrees: Float, dx: Float, dy: Float,
        into out: UnsafeMutablePointer<Float>
    ) {
        let theta = degrees * .pi / 180
        let (cosine, sine) = (cos(theta), sin(theta))
        let cy = Float(height - 1) / 2
        let cx = Float(width - 1) / 2
        func pixel(_ r: Int, _ c: Int) -> Float {
            r >= 0 && r < height && c >= 0 && c < width ? image[r * width + c] : 0
        }
        for r in 0..<height {
            for c in 0..<width {
                // Inverse map: undo the shift, then rotate by -theta about the centre.
                let y = Float(r) - cy - dy
                let x = Float(c) - cx - dx
                let sx = cosine * x + sine * y + cx
                let sy = -sine * x + cosine * y + cy
                let (r0, c0) = (Int(sy.rounded(.down)), Int(sx.rounded(.down)))
                let (fy, fx) = (sy - Float(r0), sx - Float(c0))
                let top = pixel(r0, c0) * (1 - fx) + pixel(r0, c0 + 1) * fx
                let bottom = pixel(r0 + 1, c0) * (1 - fx) + pixel(r0 + 1, c0 + 1) * fx
                out[r * width + c] = min(max(top * (1 - fy) + bottom * fy, 0), 1)
            }
        }
    }
}

/// The spatial grid search as a step machine: one rotation angle (with every shift) per step.
final class SpatialRun: GradientAttackRun {
    let attack: SpatialTransformation
    let angles: [Float]
    /// Per image: (fools, score) of the kept transform, score = loss (untargeted) or -loss to the target.
    private var best: [(fools: Bool, score: Float)]
    private var rotation: [Double]
    private var shiftX: [Double]
    private var shiftY: [Double]

    init(attack: SpatialTransformation, classifier: Classifier, images: Tensor, labels: [Int], targets: [Int]?) {
        self.attack = attack
        angles = attack.angles
        best = [(fools: Bool, score: Float)](repeating: (false, -.infinity), count: labels.count)
        rotation = [Double](repeating: .nan, count: labels.count)
        shiftX = rotation
        shiftY = rotation
        super.init(
            method: "spatial", classifier: classifier, clean: images, labels: labels, targets: targets,
            iterationCount: angles.count)
    }

    override func performStep() throws {
        let (height, width) = (classifier.imageHeight, classifier.imageWidth)
        let pixels = height * width
        let shifts = (-attack.maxShift...attack.maxShift).flatMap { dy in
            (-attack.maxShift...attack.maxShift).map { dx in (dx, dy) }
        }
        let degrees = angles[iteration]
        let batch = labels.count
        let imagesPerChunk = max(1, 4096 / shifts.count)
        var lossSum = 0.0
        var chunkStart = 0
        while chunkStart < batch {
            let chunkEnd = min(chunkStart + imagesPerChunk, batch)
            let rows = (chunkEnd - chunkStart) * shifts.count
            let candidates = Tensor(zeros: [rows, pixels])
            for image in chunkStart..<chunkEnd {
                for (s, shift) in shifts.enumerated() {
                    SpatialTransformation.transform(
                        clean.data + image * pixels, height: height, width: width, degrees: degrees,
                        dx: Float(shift.0), dy: Float(shift.1),
                        into: candidates.data + ((image - chunkStart) * shifts.count + s) * pixels)
                }
            }
            let logits = noGrad { classifier(candidates) }
            queries += rows
            let logProbabilities = noGrad { logits.logSoftmax() }
            let predicted = logits.argmax()
            let classes = logits.shape[1]
            for image in chunkStart..<chunkEnd {
                let lossClass = targets?[image] ?? labels[image]
                for s in 0..<shifts.count {
                    let row = (image - chunkStart) * shifts.count + s
                    let crossEntropy = -logProbabilities.data[row * classes + lossClass]
                    let score = targets == nil ? crossEntropy : -crossEntropy
                    let fools = isSuccess(prediction: predicted[row], image: image)
                    if (fools && !best[image].fools) || (fools == best[image].fools && score > best[image].score) {
                        best[image] = (fools, score)
                        (adversarial.data + image * pixels).update(from: candidates.data + row * pixels, count: pixels)
                        rotation[image] = fools ? Double(degrees) : .nan
                        shiftX[image] = fools ? Double(shifts[s].0) : .nan
                        shiftY[image] = fools ? Double(shifts[s].1) : .nan
                    }
                }
                lossSum += Double(best[image].score)
            }
            chunkStart = chunkEnd
        }
        loss = lossSum / Double(batch)
        perImageExtras = ["rotation": rotation, "shift_x": shiftX, "shift_y": shiftY]
    }
}
