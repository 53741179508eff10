#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds and loads the dataset a `--data` argument names.
public enum DatasetLoader {
    /// Where Debian's `dataset-fashion-mnist` package installs its four gzipped IDX files.
    public static let fashionFolder = "/usr/share/datasets/fashion-mnist"

    /// Fashion-MNIST's class names (Xiao, Rasul & Vollgraf 2017), indexed by label.
    public static let fashionClassNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// The four files of an MNIST-format folder, each possibly with a `.gz` suffix.
    public static let trainImagesFile = "train-images-idx3-ubyte"
    public static let trainLabelsFile = "train-labels-idx1-ubyte"
    public static let testImagesFile = "t10k-images-idx3-ubyte"
    public static let testLabelsFile = "t10k-labels-idx1-ubyte"

    /// Loads the dataset `spec` names.
    /// - Parameters:
    ///   - spec: `synthetic` (procedural digits, the default), `fashion` (Fashion-MNIST from the Debian
    ///     package), or the path of a folder holding the four MNIST-format IDX files.
    ///   - seed: seeds the synthetic digits; the file-based datasets ignore it.
    ///   - withTraining: false reads the test split only (the training split is left empty): what a command
    ///     that only evaluates or attacks needs, without decoding 60,000 training images first.
    /// - Throws: `DatasetError` naming the file and what is wrong.
    public static func load(_ spec: String, seed: UInt64, withTraining: Bool = true) throws -> Dataset {
        switch spec {
        case "", "synthetic":
            return withTraining ? SyntheticDigits.make(seed: seed) : SyntheticDigits.make(trainCount: 0, seed: seed)
        case "fashion":
            guard isDirectory(fashionFolder) else {
                throw DatasetError.unreadable(
                    path: fashionFolder,
                    reason: "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
            }
            return try loadFolder(
                fashionFolder, name: "fashion", classNames: fashionClassNames, withTraining: withTraining)
        default:
            try checkSpec(spec)
            var trimmed = spec
            while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
            let name = trimmed.split(separator: "/").last.map(String.init) ?? trimmed
            return try loadFolder(spec, name: name, classNames: nil, withTraining: withTraining)
        }
    }

    /// True when the images of `spec` are drawn from the seed `load` takes (the synthetic digits); the
    /// file-based datasets are the same whatever the seed.
    public static func isSeeded(_ spec: String) -> Bool { spec.isEmpty || spec == "synthetic" }

    /// Checks, without loading anything, that `spec` names a dataset: a built-in name or an existing
    /// folder. Commands call it while reading `--data`, so a mistyped value is a usage error at once.
    /// - Throws: `DatasetError.notAFolder` for an existing file, `DatasetError.noSuchFolder` for a path (it
    ///   has a `/` or starts with `.` or `~`) that is not a folder, `DatasetError.unknownSpec` for any other
    ///   word that is neither a built-in name nor a folder.
    public static func checkSpec(_ spec: String) throws(DatasetError) {
        switch spec {
        case "", "synthetic", "fashion": return
        default:
            guard !isDirectory(spec) else { return }
            var info = stat()
            if stat(spec, &info) == 0 { throw .notAFolder(spec) }
            if spec.contains("/") || spec.hasPrefix(".") || spec.hasPrefix("~") { throw .noSuchFolder(spec) }
            throw .unknownSpec(spec)
        }
    }

    /// `spec` as a run's config.json keeps it: a folder named relative to the working directory (`.`,
    /// `./mnist`, `../data/kmnist`, `mnist`) becomes an absolute path, its `.` and `..` steps resolved by
    /// name, so that a later command run in another directory reads the same folder (and the dataset is
    /// named after the folder, not `.`); built-in names, absolute paths and what is not a folder are
    /// returned as they are.
    public static func absoluteSpec(_ spec: String) -> String {
        switch spec {
        case "", "synthetic", "fashion": return spec
        default:
            guard !spec.hasPrefix("/"), isDirectory(spec), let pointer = getcwd(nil, 0) else { return spec }
            defer { free(pointer) }
            var parts: [Substring] = []
            for part in (String(cString: pointer) + "/" + spec).split(separator: "/") {
                switch part {
                case ".": continue
                case "..": if !parts.isEmpty { parts.removeLast() }
                default: parts.append(part)
                }
            }
            return "/" + parts.joined(separator: "/")
        }
    }

    /// Loads the four MNIST-format files in `folder` (the two test files only when `withTraining` is false);
    /// labels must lie in `0..<classNames.count`. Without `classNames` the classes are named by number,
    /// as many as the labels need (the largest label of either split, plus one, and at least two: the
    /// training labels are read for it also when `withTraining` is false, so both give the same classes).
    /// - Throws: `DatasetError` for a missing file, a malformed file, mismatched counts or sizes, or a
    ///   label out of range.
    public static func loadFolder(
        _ folder: String, name: String, classNames: [String]?, withTraining: Bool = true
    ) throws -> Dataset {
        let classCount = classNames?.count ?? 256
        let testImagesPath = try locate(testImagesFile, in: folder)
        let testLabelsPath = try locate(testLabelsFile, in: folder)
        var train: (images: [Float], labels: [Int], height: Int, width: Int)?
        if withTraining {
            let trainImagesPath = try locate(trainImagesFile, in: folder)
            let trainLabelsPath = try locate(trainLabelsFile, in: folder)
            let (trainImages, height, width) = try images(at: trainImagesPath)
            let trainLabels = try labels(
                at: trainLabelsPath, count: trainImages.count / (height * width),
                imagesPath: trainImagesPath, classCount: classCount)
            train = (trainImages, trainLabels, height, width)
        }
        let (testImages, height, width) = try images(at: testImagesPath)
        if let train, train.height != height || train.width != width {
            throw DatasetError.inconsistent(
                path: testImagesPath,
                reason: "images are \(height)x\(width) but the training images are \(train.height)x\(train.width)")
        }
        let testLabels = try labels(
            at: testLabelsPath, count: testImages.count / (height * width),
            imagesPath: testImagesPath, classCount: classCount)
        let names =
            try classNames
            ?? namedByNumber(
                folder, labels: (train?.labels ?? []) + testLabels, trainingRead: train != nil)
        return Dataset(
            name: name, classNames: names, imageHeight: height, imageWidth: width,
            trainImages: train?.images ?? [], trainLabels: train?.labels ?? [], testImages: testImages,
            testLabels: testLabels)
    }

    /// Classes "0", "1", ... up to the largest of `labels` and, unless `labels` holds them already
    /// (`trainingRead`), of the training labels file; at least two, so a folder whose labels are all 0
    /// still gives a classifier two outputs (and label flipping another class to flip to).
    static func namedByNumber(_ folder: String, labels: [Int], trainingRead: Bool) throws -> [String] {
        var highest = labels.max() ?? 0
        if !trainingRead, let trainLabelsPath = try? locate(trainLabelsFile, in: folder) {
            let array = try IDXReader.read(path: trainLabelsPath, expected: .labels)
            guard array.dimensions.count == 1 else {
                throw DatasetError.corrupt(
                    path: trainLabelsPath, reason: "labels must be 1-D, found dimensions \(array.dimensions)")
            }
            highest = max(highest, Int(array.bytes.max() ?? 0))
        }
        return (0...max(highest, 1)).map(String.init)
    }

    /// The path of `file` or `file.gz` in `folder`, else of the spelling some downloads unpack to, with a
    /// dot before `idx` (`t10k-images.idx3-ubyte`, raw or `.gz`).
    static func locate(_ file: String, in folder: String) throws -> String {
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        let base = prefix + file
        let dotted = prefix + file.replacing("-idx", with: ".idx")
        for candidate in [base, base + ".gz", dotted, dotted + ".gz"] {
            if access(candidate, F_OK) == 0 { return candidate }
            // A folder that may not be searched hides every file in it: say so, not that they are missing.
            if errno == EACCES {
                throw DatasetError.unreadable(path: folder, reason: String(cString: strerror(EACCES)))
            }
        }
        // A symbolic link whose target is gone is there, and is named so (it read as a missing file).
        for candidate in [base, base + ".gz", dotted, dotted + ".gz"] {
            var info = stat()
            if lstat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
                var bytes = [CChar](repeating: 0, count: 4097)
                let length = readlink(candidate, &bytes, 4096)
                let target =
                    length > 0 ? String(decoding: bytes[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
                throw DatasetError.unreadable(
                    path: candidate, reason: "a symbolic link to '\(target)', which is not there")
            }
        }
        throw DatasetError.missingFile(folder: folder, file: file)
    }

    static func images(at path: String) throws -> ([Float], Int, Int) {
        let array = try IDXReader.read(path: path, expected: .images)
        guard array.dimensions.count == 3 else {
            throw DatasetError.corrupt(
                path: path, reason: "images must be 3-D [count, height, width], found dimensions \(array.dimensions)")
        }
        let height = array.dimensions[1]
        let width = array.dimensions[2]
        guard height > 0, width > 0 else {
            throw DatasetError.corrupt(path: path, reason: "images have an empty size \(height)x\(width)")
        }
        // Nothing trains on an empty split, and an empty test split scores 0 with a loss of 0.
        guard array.dimensions[0] > 0 else {
            throw DatasetError.corrupt(path: path, reason: "holds no images (its count is 0)")
        }
        // A table of correctly rounded b / 255, so every pixel is exactly Float(b) / 255.
        let table = (0..<256).map { Float($0) / 255 }
        let pixels = array.bytes.map { table[Int($0)] }
        return (pixels, height, width)
    }

    static func labels(at path: String, count: Int, imagesPath: String, classCount: Int) throws -> [Int] {
        let array = try IDXReader.read(path: path, expected: .labels)
        guard array.dimensions.count == 1 else {
            throw DatasetError.corrupt(path: path, reason: "labels must be 1-D, found dimensions \(array.dimensions)")
        }
        guard array.dimensions[0] == count else {
            throw DatasetError.inconsistent(
                path: path, reason: "\(array.dimensions[0]) labels for \(count) images in \(imagesPath)")
        }
        if let index = array.bytes.firstIndex(where: { Int($0) >= classCount }) {
            throw DatasetError.inconsistent(
                path: path, reason: "label \(array.bytes[index]) at index \(index) is outside 0...\(classCount - 1)")
        }
        return array.bytes.map { Int($0) }
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
