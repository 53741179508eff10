import Foundation
import Testing

@testable import Bench

/// The reference scripts ship as files of the Bench module's resource bundle and run from there.
@Suite struct PythonReferenceTests {
    static let scripts = [
        "attack_formulas.py", "attack_torch.py", "checkpoint_torch.py", "ddpm_torch.py", "gemm_numpy.py",
        "models_torch.py", "seeds_torch.py",
    ]

    func source(_ name: String) throws -> String {
        let path = try PythonReference.scriptPath(name).get()
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func everyScriptTheBenchmarksRunIsInTheBundle() throws {
        for name in Self.scripts {
            let path = try PythonReference.scriptPath(name).get()
            #expect(path.hasSuffix("/Scripts/" + name))
        }
    }

    @Test func aMissingScriptIsAOneLineFailureNamingIt() {
        guard case .failure(let failure) = PythonReference.run(script: "no_such_script.py", arguments: []) else {
            Issue.record("a missing script ran")
            return
        }
        #expect(failure.description.contains("no_such_script.py") && !failure.description.contains("\n"))
    }

    /// Bug: a reference program that failed without a word (`bench gemm --python /bin/false`) was reported as
    /// "/bin/false exited with status 1: ", a colon before nothing.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/false")))
    func aSilentFailureSaysItPrintedNothing() {
        guard case .failure(let failure) = PythonReference.runProgram("/bin/false", [], name: "/bin/false", timeout: 60)
        else {
            Issue.record("/bin/false succeeded")
            return
        }
        #expect(failure.description == "/bin/false exited with status 1 and printed nothing on stderr")
    }

    /// The attack formulas are written once, in attack_formulas.py, and imported by both PyTorch scripts.
    @Test func attackFormulasAreSharedThroughOneModule() throws {
        #expect(
            try source("attack_formulas.py").contains("def grad(")
                && source("attack_formulas.py").contains("def iterate("))
        for name in ["attack_torch.py", "seeds_torch.py"] {
            let text = try source(name)
            #expect(text.contains("from attack_formulas import grad, iterate"), "\(name)")
            #expect(!text.contains("def grad(") && !text.contains("def iterate("), "\(name)")
        }
    }

    /// Bug: `bench attack --python PATH` with a python that has torch and numpy but not the `safetensors`
    /// package reported "pytorch: PyTorch unavailable: No module named 'safetensors'": attack_torch.py alone
    /// loaded the weights with that package, where every other script reads them with classifier_torch.py.
    @Test func everyScriptReadsWeightsWithoutTheSafetensorsPackage() throws {
        let folder = try PythonReference.scriptPath("attack_torch.py").get()
        let scripts = try FileManager.default.contentsOfDirectory(
            atPath: URL(fileURLWithPath: folder).deletingLastPathComponent().path
        ).filter { $0.hasSuffix(".py") }
        #expect(scripts.contains("attack_torch.py") && scripts.contains("models_torch.py"))
        for name in scripts {
            let imports = try source(name).split(separator: "\n").filter {
                let line = $0.trimmingCharacters(in: .whitespaces)
                return line.hasPrefix("import ") || line.hasPrefix("from ")
            }
            // The package itself (`import safetensors`, `from safetensors.torch import ...`), not the scripts' reader.
            let modules = imports.map {
                $0.trimmingCharacters(in: .whitespaces).split(separator: " ").dropFirst().first ?? ""
            }
            #expect(
                !modules.contains {
                    $0 == "safetensors" || $0.hasPrefix("safetensors.") || $0.hasPrefix("safetensors,")
                }, "\(name)")
        }
        #expect(try source("attack_torch.py").contains("from classifier_torch import load_safetensors"))
    }

    /// Every script is valid Python (parsed, not run: PyTorch need not be installed).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func everyScriptParses() throws {
        for name in Self.scripts {
            let path = try PythonReference.scriptPath(name).get()
            let run = try ChildProcess.run(
                "/usr/bin/python3", ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", path], timeout: 60)
            #expect(run.status == 0, "\(name): \(String(decoding: run.stderr, as: UTF8.self))")
        }
    }

    /// The NumPy reference runs from the bundle with its arguments where `sys.argv` puts them: one result a
    /// shape, or its own one-line "numpy unavailable".
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func gemmReferenceRunsFromTheBundle() {
        switch PythonReference.run(script: "gemm_numpy.py", arguments: ["numpy", "1", "8x8x8", "4x16x2"], timeout: 120)
        {
        case .success(let lines):
            #expect(lines.count == 2 && lines.allSatisfy { $0.hasPrefix("gflops ") && Double($0.dropFirst(7)) != nil })
        case .failure(let failure):
            #expect(failure.description.contains("numpy unavailable"), "\(failure)")
        }
    }

    /// Bug: without numpy (here: python3 -S, which leaves the site packages out), the PyTorch reference of
    /// `bench gemm` said "torch unavailable: No module named 'numpy'", blaming the wrong library.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func gemmReferenceWithoutNumPyNamesNumPy() throws {
        let path = try PythonReference.scriptPath("gemm_numpy.py").get()
        let run = PythonReference.runProgram(
            "/usr/bin/python3", ["-S", path, "torch", "1", "8x8x8"], name: "python3 -S", timeout: 60)
        guard case .failure(let failure) = run else {
            Issue.record("python3 -S ran the reference: \(run)")
            return
        }
        #expect(failure.description.hasPrefix("numpy unavailable"), "\(failure)")
    }
}
