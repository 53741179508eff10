import Base
import Datasets
import Engine
import Foundation

/// Runs a reference measurement written in Python (numpy, PyTorch) as a child process, for the
/// benchmarks that compare Manifold with those libraries in the same run. The scripts are the `.py`
/// files of `Sources/Bench/Scripts/`, shipped as a resource folder of this module (each can be read and
/// run by hand; its docstring gives its arguments). A script prints its results one per line and
/// `error MESSAGE` (exit status 0) when its library is missing.
public enum PythonReference {
    /// Why the reference could not be measured, in one line.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    /// Where the reference scripts are looked for, in order: `Scripts` in this module's resource bundle
    /// beside the executable (what `swift build` makes), then `Sources/Bench/Scripts` of the source tree
    /// the binary was built from. Looked up by hand rather than through `Bundle.module`, whose accessor
    /// traps when a binary was copied away from its resource folder.
    public static var scriptFolders: [String] {
        [
            Bundle.main.bundleURL.appendingPathComponent("Manifold_Bench.resources/Scripts").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Scripts").path,
        ]
    }

    /// This process's environment with the BLAS and OpenMP thread counts of a reference set to
    /// `threads`, so that the library uses as many threads as Manifold.
    public static func environment(threads: Int) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"] {
            environment[name] = String(threads)
        }
        return environment
    }

    /// The path of the reference script `name` (for example `gemm_numpy.py`), or a one-line failure naming
    /// where it was looked for (a binary copied without its resources and its sources).
    public static func scriptPath(_ name: String) -> Result<String, Failure> {
        let candidates = scriptFolders.map { $0 + "/" + name }
        guard let path = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) else {
            return .failure(
                Failure(
                    description:
                        "reference script '\(name)' is missing (looked in \(candidates.joined(separator: " and ")))"))
        }
        return .success(path)
    }

    /// The lines the reference script `script` (a file name in `scriptFolders`) printed when run with
    /// `arguments`, or a one-line failure: the script is missing, it could not start, printed `error ...`,
    /// exited non-zero (with the last line of its standard error), or ran past `timeout` seconds.
    public static func run(
        python: String = "python3", script: String, arguments: [String], environment: [String: String]? = nil,
        timeout: Double = 900
    ) -> Result<[String], Failure> {
        let path: String
        switch scriptPath(script) {
        case .success(let found): path = found
        case .failure(let failure): return .failure(failure)
        }
        return runProgram(
            // `--`: a python named like an option (`-u`) is the program env runs, not an option of env's.
            "/usr/bin/env", ["--", python, path] + arguments, name: Sanitize.line(python, limit: 80),
            environment: environment, timeout: timeout)
    }

    /// The lines `executable` printed when run with `arguments`, or a one-line failure named after
    /// `name`: it could not start, printed `error ...`, exited non-zero (with its `Fatal error` line, or
    /// else the last line of its standard error), or ran past `timeout` seconds.
    public static func runProgram(
        _ executable: String, _ arguments: [String], name: String, environment: [String: String]? = nil,
        timeout: Double = 900
    ) -> Result<[String], Failure> {
        let run: (status: Int32?, stdout: Data, stderr: Data)
        do {
            run = try ChildProcess.run(executable, arguments, environment: environment, timeout: timeout)
        } catch {
            return .failure(Failure(description: "could not start \(name) (\(error))"))
        }
        let lines = String(decoding: run.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        if let error = lines.first(where: { $0.hasPrefix("error ") }) {
            return .failure(Failure(description: String(error.dropFirst(6))))
        }
        guard let status = run.status else {
            return .failure(Failure(description: "\(name) did not finish within \(Int(timeout)) s"))
        }
        guard status == 0 else {
            // A crashed Swift program prints its reason first and a backtrace after it.
            let errorLines = String(decoding: run.stderr, as: UTF8.self).split(separator: "\n")
            let last = (errorLines.first { $0.contains("Fatal error") } ?? errorLines.last).map(String.init) ?? ""
            let printable = String(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }.prefix(200))
            let detail = printable.isEmpty ? " and printed nothing on stderr" : ": \(printable)"
            return .failure(Failure(description: "\(name) exited with status \(status)\(detail)"))
        }
        return .success(lines)
    }
}

extension PythonReference {
    /// A temporary folder of raw arrays for a reference script to read with `numpy.fromfile`:
    /// float32 and int64 in this machine's byte order. The caller removes it with `remove()`.
    public struct InputFolder {
        public let path: String

        /// Creates `manifold-LABEL-UUID` in the temporary directory.
        public init(label: String) throws(Failure) {
            path = NSTemporaryDirectory() + "manifold-\(label)-\(UUID().uuidString)"
            do {
                try TemporaryFolders.shared.create(path)
            } catch {
                throw Failure(description: "cannot create '\(path)' for the reference's inputs: \(error)")
            }
        }

        /// Writes `values` as float32 to `name` in the folder; returns the file's path.
        @discardableResult
        public func write(_ values: ArraySlice<Float>, name: String) throws(Failure) -> String {
            try write(values.withUnsafeBytes { Data($0) }, name: name)
        }

        /// Writes `values` as int64 to `name` in the folder; returns the file's path.
        @discardableResult
        public func write(_ values: ArraySlice<Int>, name: String) throws(Failure) -> String {
            try write(values.map { Int64($0) }.withUnsafeBytes { Data($0) }, name: name)
        }

        private func write(_ data: Data, name: String) throws(Failure) -> String {
            let file = path + "/" + name
            do {
                try data.write(to: URL(fileURLWithPath: file))
            } catch {
                throw Failure(description: "cannot write the reference's input '\(file)': \(error)")
            }
            return file
        }

        public func remove() { TemporaryFolders.shared.remove(path) }

        /// A new folder holding all of `dataset`: `train.f32`, `train.i64`, `test.f32` and `test.i64` (the
        /// layout the seed studies' scripts read), for a benchmark called `label`; on failure nothing is
        /// left behind.
        public static func wholeDataset(_ dataset: Dataset, label: String) throws(Failure) -> InputFolder {
            let folder = try InputFolder(label: label)
            do {
                try folder.write(dataset.trainImages[...], name: "train.f32")
                try folder.write(dataset.trainLabels[...], name: "train.i64")
                try folder.write(dataset.testImages[...], name: "test.f32")
                try folder.write(dataset.testLabels[...], name: "test.i64")
            } catch {
                folder.remove()
                throw error
            }
            return folder
        }

        /// A new folder holding the first `count` test images of `dataset` (`images.f32`) and their labels
        /// (`labels.i64`), for a benchmark called `label`; on failure nothing is left behind.
        /// - Throws: `RuntimeFault` naming the benchmark.
        public static func testSet(_ dataset: Dataset, count: Int, label: String) throws -> (
            folder: InputFolder, images: String, labels: String
        ) {
            do {
                let folder = try InputFolder(label: label)
                do {
                    let images = try folder.write(
                        dataset.testImages[0..<(count * dataset.pixelCount)], name: "images.f32")
                    return (folder, images, try folder.write(dataset.testLabels[0..<count], name: "labels.i64"))
                } catch {
                    folder.remove()
                    throw error
                }
            } catch {
                throw RuntimeFault("\(label.replacingOccurrences(of: "-", with: " ")): \(error)")
            }
        }
    }
}
