import Base
import Foundation
import Testing

@testable import SafeTensors

// Fixtures/pytorch_fixture.safetensors was made once with PyTorch 2.13.0 (CPU) and safetensors 0.8.0:
//
//     import torch
//     from safetensors.torch import save_file
//     class Net(torch.nn.Module):
//         def __init__(self):
//             super().__init__()
//             self.fc = torch.nn.Linear(3, 2)
//             self.conv = torch.nn.Conv2d(1, 2, 3)
//     net = Net()
//     with torch.no_grad():
//         net.fc.weight.copy_(torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.5 - 1)
//         net.fc.bias.copy_(torch.tensor([0.25, -0.75]))
//         net.conv.weight.copy_(torch.arange(18, dtype=torch.float32).reshape(2, 1, 3, 3) / 8)
//         net.conv.bias.copy_(torch.tensor([1.5, -2.0]))
//     sd = {k: v.contiguous() for k, v in net.state_dict().items()}
//     sd["half"] = torch.tensor([1.0, -2.5, 0.099975586, 65504.0], dtype=torch.float16)
//     sd["brain"] = torch.tensor([[1.0, -3.0], [0.15625, 1e30]], dtype=torch.bfloat16)
//     sd["double"] = torch.tensor([3.141592653589793, -1e-3], dtype=torch.float64)
//     save_file(sd, "pytorch_fixture.safetensors", metadata={"format": "pt", "source": "manifold-test"})

private let fixturePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/pytorch_fixture.safetensors").path

/// A fresh empty folder under the system temporary directory.
func makeTemporaryFolder() throws -> String {
    let path = NSTemporaryDirectory() + "safetensors-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Safetensors bytes from a literal header and data buffer, with the header length prefix.
func rawFile(header: String, data: [UInt8] = [], claimedLength: UInt64? = nil) -> [UInt8] {
    let headerBytes = Array(header.utf8)
    let n = claimedLength ?? UInt64(headerBytes.count)
    var out: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) }
    out += headerBytes
    out += data
    return out
}

@Suite struct SafeTensorsFormatTests {
    @Test func readsPyTorchFixture() throws {
        let file = try SafeTensorsFormat.read(path: fixturePath)
        #expect(file.metadata == ["format": "pt", "source": "manifold-test"])
        #expect(
            Set(file.entries.map(\.name)) == [
                "fc.weight", "fc.bias", "conv.weight", "conv.bias", "half", "brain", "double",
            ])
        #expect(file["fc.weight"]?.shape == [2, 3])
        #expect(file["fc.weight"]?.values == [-1, -0.5, 0, 0.5, 1, 1.5])
        #expect(file["fc.bias"]?.values == [0.25, -0.75])
        #expect(file["conv.weight"]?.shape == [2, 1, 3, 3])
        #expect(file["conv.weight"]?.values == (0..<18).map { Float($0) / 8 })
        #expect(file["conv.bias"]?.values == [1.5, -2])
        #expect(file["half"]?.values == [1, -2.5, 0.0999755859375, 65504])
        #expect(file["brain"]?.shape == [2, 2])
        #expect(file["brain"]?.values == [1, -3, 0.15625, Float(1.0002555517425873e+30)])
        #expect(file["double"]?.values == [Float(3.141592653589793), Float(-0.001)])
    }

    @Test func halfConversionCoversSpecialValues() {
        #expect(SafeTensorsFormat.halfToFloat(0x0000) == 0)
        #expect(SafeTensorsFormat.halfToFloat(0x8000).sign == .minus)
        #expect(SafeTensorsFormat.halfToFloat(0x0001) == Float(1) / 16_777_216)  // smallest subnormal
        #expect(SafeTensorsFormat.halfToFloat(0x3C00) == 1)
        #expect(SafeTensorsFormat.halfToFloat(0x7C00) == .infinity)
        #expect(SafeTensorsFormat.halfToFloat(0xFC00) == -.infinity)
        #expect(SafeTensorsFormat.halfToFloat(0x7E00).isNaN)
    }

    @Test func roundTripThroughFile() throws {
        let original = SafeTensorsFile(
            entries: [
                SafeTensorsEntry(name: "layer.weight", shape: [2, 2], values: [1, -2, 3.5, .pi]),
                SafeTensorsEntry(name: "layer.bias", shape: [2], values: [0, -0]),
                SafeTensorsEntry(name: "scalar", shape: [], values: [7]),
                SafeTensorsEntry(name: "empty", shape: [0, 3], values: []),
            ],
            metadata: ["epoch": "3", "quote\"d": "new\nline ü"])
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/model.safetensors"
        try SafeTensorsFormat.write(original, path: path)
        let bytes = try FileIO.readAll(path: path)
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        #expect((8 + headerLength) % 8 == 0)
        let back = try SafeTensorsFormat.read(path: path)
        #expect(back.metadata == original.metadata)
        #expect(back.entries.map(\.name) == original.entries.map(\.name))  // data order is entry order
        for entry in original.entries {
            #expect(back[entry.name]?.shape == entry.shape)
            #expect(back[entry.name]?.values.map(\.bitPattern) == entry.values.map(\.bitPattern))
        }
        // No temporary file is left beside the checkpoint.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["model.safetensors"])
    }

    @Test func encodeRejectsInconsistentEntries() {
        let cases: [SafeTensorsEntry] = [
            SafeTensorsEntry(name: "a", shape: [2, 2], values: [1, 2, 3]),
            SafeTensorsEntry(name: "a", shape: [-1], values: []),
            SafeTensorsEntry(name: "__metadata__", shape: [1], values: [1]),
            SafeTensorsEntry(name: "", shape: [1], values: [1]),
        ]
        for entry in cases {
            #expect(throws: SafeTensorsError.self) { try SafeTensorsFormat.encode(SafeTensorsFile(entries: [entry])) }
        }
        let duplicate = SafeTensorsEntry(name: "x", shape: [1], values: [1])
        #expect(throws: SafeTensorsError.self) {
            try SafeTensorsFormat.encode(SafeTensorsFile(entries: [duplicate, duplicate]))
        }
    }

    @Test func failedWriteLeavesNoFile() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bad = SafeTensorsFile(entries: [SafeTensorsEntry(name: "a", shape: [3], values: [1])])
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFormat.write(bad, path: folder + "/x.safetensors") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        let good = SafeTensorsFile(entries: [SafeTensorsEntry(name: "a", shape: [1], values: [1])])
        #expect(throws: SafeTensorsError.self) {
            try SafeTensorsFormat.write(good, path: folder + "/missing/x.safetensors")
        }
        #expect(throws: SafeTensorsError.self) { try SafeTensorsFormat.read(path: folder + "/absent.safetensors") }
    }

    /// The temporary names an atomic write records (so that a signal can remove them) are all forgotten once
    /// it returns, whether it succeeded or failed at any of its system calls.
    @Test func atomicWritesForgetTheirTemporaryNames() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = [(bytes: [UInt8](repeating: 1, count: 10), path: folder + "/a"), ([2], folder + "/b")]
        try FileIO.writeAtomically(files)
        for call in 1...30 {
            let plan = FileFaultPlan(call: call, fault: .failure(EIO))
            try? FileIO.$faultPlan.withValue(plan) { try FileIO.writeAtomically(files) }
            #expect(!TemporaryFiles.shared.paths.contains { $0.hasPrefix(folder + "/") }, "call \(call)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["a", "b"], "call \(call)")
        }
    }

    static let f32x2 = #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#

    /// Malformed files, each with a fragment its error description must contain.
    static let malformed: [(String, [UInt8], String)] = [
        ("empty", [], "shorter than the 8-byte header length"),
        ("truncated prefix", [1, 0, 0], "shorter than the 8-byte header length"),
        ("header past end", rawFile(header: f32x2, claimedLength: 1000), "reaches past the end"),
        ("huge header length", rawFile(header: f32x2, claimedLength: 100_000_001), "exceeds the limit"),
        ("4 GB header", rawFile(header: f32x2, claimedLength: 0xFFFF_FFFF), "exceeds the limit"),
        ("UInt64.max header", rawFile(header: f32x2, claimedLength: .max), "exceeds the limit"),
        (
            "truncated data", Array(rawFile(header: f32x2, data: [UInt8](repeating: 0, count: 8)).dropLast(3)),
            "tensors end at byte 8"
        ),
        (
            "offsets outside file",
            rawFile(
                header: #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[100,108]}}"#,
                data: [UInt8](repeating: 0, count: 8)), "gap of 100 bytes"
        ),
        (
            "gap",
            rawFile(
                header:
                    #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
                data: [UInt8](repeating: 0, count: 12)), "gap of 4 bytes before tensor 'b'"
        ),
        (
            "overlap",
            rawFile(
                header:
                    #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                data: [UInt8](repeating: 0, count: 8)), "overlaps"
        ),
        ("trailing bytes", rawFile(header: f32x2, data: [UInt8](repeating: 0, count: 12)), "4 trailing bytes"),
        (
            "wrong byte count",
            rawFile(
                header: #"{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#,
                data: [UInt8](repeating: 0, count: 8)), "needs 12"
        ),
        (
            "negative dim",
            rawFile(
                header: #"{"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#,
                data: [UInt8](repeating: 0, count: 8)), "non-negative integer"
        ),
        (
            "fractional dim",
            rawFile(
                header: #"{"t":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}"#,
                data: [UInt8](repeating: 0, count: 8)), "non-negative integer"
        ),
        (
            "overflowing dims",
            rawFile(
                header: #"{"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#,
                data: [UInt8](repeating: 0, count: 8)), "overflows"
        ),
        (
            "byte count overflow",
            rawFile(
                header: #"{"t":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,8]}}"#,
                data: [UInt8](repeating: 0, count: 8)), "more than Int.max"
        ),
        (
            "dim beyond Int",
            rawFile(
                header: #"{"t":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]}}"#,
                data: [UInt8](repeating: 0, count: 8)), "non-negative integer"
        ),
        (
            "negative offset",
            rawFile(
                header: #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}"#,
                data: [UInt8](repeating: 0, count: 8)), "data_offsets"
        ),
        (
            "reversed offsets",
            rawFile(
                header: #"{"t":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#,
                data: [UInt8](repeating: 0, count: 8)), "data_offsets"
        ),
        (
            "unknown dtype",
            rawFile(
                header: #"{"t":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)
            ), "tensor 't' has dtype Q4"
        ),
        (
            "unsupported I64",
            rawFile(
                header: #"{"t":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#,
                data: [UInt8](repeating: 0, count: 8)), "tensor 't' has dtype I64"
        ),
        (
            "unsupported BOOL",
            rawFile(
                header: #"{"t":{"dtype":"BOOL","shape":[8],"data_offsets":[0,8]}}"#,
                data: [UInt8](repeating: 0, count: 8)), "has dtype BOOL"
        ),
        (
            "duplicate names",
            rawFile(
                header:
                    #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                data: [UInt8](repeating: 0, count: 8)), "duplicate key"
        ),
        (
            "non-UTF-8 header", rawFile(header: "{\"t\":1}").enumerated().map { $0.offset == 10 ? 0xFF : $0.element },
            "not valid UTF-8"
        ),
        (
            "header not starting with brace", rawFile(header: " " + f32x2, data: [UInt8](repeating: 0, count: 8)),
            "does not start with '{'"
        ),
        ("header is an array", rawFile(header: "[1,2]"), "does not start with '{'"),
        (
            "trailing spaces allowed but not text",
            rawFile(header: f32x2 + "  x", data: [UInt8](repeating: 0, count: 8)), "unexpected content"
        ),
        (
            "deeply nested",
            rawFile(
                header: "{\"t\":" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"),
            "nesting deeper"
        ),
        (
            "metadata non-string", rawFile(header: #"{"__metadata__":{"epoch":3}}"#),
            "__metadata__ value for 'epoch' is not a string"
        ),
        ("metadata not object", rawFile(header: #"{"__metadata__":"x"}"#), "__metadata__ is not an object"),
        ("entry not object", rawFile(header: #"{"t":[1]}"#), "entry is not a JSON object"),
        (
            "missing shape", rawFile(header: #"{"t":{"dtype":"F32","data_offsets":[0,0]}}"#),
            "missing or non-array shape"
        ),
        (
            "three offsets", rawFile(header: #"{"t":{"dtype":"F32","shape":[0],"data_offsets":[0,0,0]}}"#),
            "data_offsets"
        ),
        ("unterminated JSON", rawFile(header: #"{"t":{"dtype":"F32""#), "invalid JSON"),
        ("huge float", rawFile(header: #"{"t":1e999}"#), "number out of range"),
    ]

    @Test(arguments: malformed.indices)
    func rejectsMalformedFile(index: Int) {
        let (label, bytes, fragment) = Self.malformed[index]
        do {
            let file = try SafeTensorsFormat.decode(bytes, source: "bad.safetensors")
            Issue.record("\(label): accepted, got \(file.entries.count) entries")
        } catch let error as SafeTensorsError {
            #expect(error.description.hasPrefix("bad.safetensors: "), "\(label)")
            #expect(error.description.contains(fragment), "\(label): \(error.description)")
            #expect(!error.description.contains("\n"), "\(label)")
        } catch {
            Issue.record("\(label): unexpected error type \(error)")
        }
    }

    @Test func acceptsTrailingSpacesAndEmptyTensors() throws {
        let bytes = rawFile(
            header:
                #"{"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}   "#,
            data: [0, 0, 0x80, 0x3F])
        let file = try SafeTensorsFormat.decode(bytes, source: "ok")
        #expect(file["t"]?.values == [1])
        #expect(file["e"]?.values == [])
        #expect(try SafeTensorsFormat.decode(rawFile(header: "{}"), source: "ok").entries.isEmpty)
    }

    /// Every truncation and single-byte corruption of a valid file decodes or throws, never traps.
    @Test func truncationsAndBitFlipsNeverCrash() throws {
        let valid = try SafeTensorsFormat.encode(
            SafeTensorsFile(
                entries: [
                    SafeTensorsEntry(name: "w", shape: [2, 3], values: [1, 2, 3, 4, 5, 6]),
                    SafeTensorsEntry(name: "b", shape: [2], values: [7, 8]),
                ], metadata: ["k": "v"]))
        for length in 0..<valid.count {
            #expect(throws: SafeTensorsError.self) {
                try SafeTensorsFormat.decode(Array(valid[..<length]), source: "t")
            }
        }
        for i in 0..<valid.count {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var bytes = valid
                bytes[i] ^= flip
                _ = try? SafeTensorsFormat.decode(bytes, source: "t")
            }
        }
    }
}
