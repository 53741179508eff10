/// Data with more classes than a saved classifier has outputs (a `--data` folder whose labels go further
/// than the run's): its labels would index past the classifier's outputs.
public struct ClassCountMismatch: Error, CustomStringConvertible {
    public let dataSpec: String
    public let dataClasses: Int
    public let runName: String
    public let runClasses: Int

    /// Throws when `dataClasses` exceeds `runClasses`; fewer classes than the classifier has are fine.
    public static func check(dataSpec: String, dataClasses: Int, runName: String, runClasses: Int) throws {
        guard dataClasses > runClasses else { return }
        throw ClassCountMismatch(dataSpec: dataSpec, dataClasses: dataClasses, runName: runName, runClasses: runClasses)
    }

    public var description: String {
        "'\(dataSpec)' has \(dataClasses) classes, but run '\(runName)' classifies \(runClasses)"
    }
}

/// Data whose images are not the size a saved classifier takes (a `--data` folder of other images than
/// the run was trained on): refused before the classifier is built or sees them.
public struct ImageSizeMismatch: Error, CustomStringConvertible {
    public let dataSpec: String
    public let dataSize: (height: Int, width: Int)
    public let runName: String
    public let runSize: (height: Int, width: Int)

    /// Throws when the data's image size is not the run's.
    public static func check(
        dataSpec: String, dataSize: (height: Int, width: Int), runName: String, runSize: (height: Int, width: Int)
    ) throws {
        guard dataSize != runSize else { return }
        throw ImageSizeMismatch(dataSpec: dataSpec, dataSize: dataSize, runName: runName, runSize: runSize)
    }

    public var description: String {
        "'\(dataSpec)' has \(dataSize.height)x\(dataSize.width) images, but run '\(runName)' takes "
            + "\(runSize.height)x\(runSize.width)"
    }
}
