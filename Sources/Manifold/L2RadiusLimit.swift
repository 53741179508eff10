import Base
import Datasets
import Foundation

/// The largest L2 radius that means anything on a dataset: no two images in [0, 1] of P pixels are more than
/// sqrt(P) apart (28 for 28x28 images, 32 for 32x32, 1 for 1x1). The options that take an L2 radius
/// (`attack --eps` with `--norm 2` or `pgd-l2`, `bench threats --l2`, `bench autoattack --eps` with `--norm
/// 2`) are bounded by it once the data is known, where they were held to (0, 28] whatever the image size.
enum L2RadiusLimit {
    /// The parsers' upper end for an L2 radius, before the data bounds it (a radius of 100,000 needs images
    /// of 10^10 pixels).
    static let parserBound = 100_000.0
    /// The upper end the parsers' messages give: the data's, which `check` applies.
    static let upperText = "sqrt(H x W)"

    /// Refuses (exit 2) an L2 `radius` above the data's sqrt(pixels), naming `option` as given on the
    /// command line (`text`, nil for the default).
    static func check(_ radius: Double, option: String, text: String?, dataset: Dataset) throws {
        let limit = Float(dataset.pixelCount).squareRoot()
        guard Float(radius) > limit else { return }
        let shown = (limit * 10_000).rounded(.down) / 10_000
        let given = text.map { Sanitize.line($0, limit: 40) } ?? "\(radius) (the default)"
        throw UsageError(
            "option '--\(option)' \(given) exceeds the largest L2 distance between two "
                + "\(dataset.imageHeight)x\(dataset.imageWidth) images in [0, 1]: at most \(String(format: "%g", shown))"
        )
    }
}
