// swift-tools-version:6.0
// Manifold: a terminal workbench for generative models and adversarial attacks.
// No package dependencies: only the Swift toolchain and the system zlib.
import PackageDescription

/// Release builds generate code for the building machine's CPU (FMA, AVX2/AVX-512 where present);
/// other architectures get the compiler's portable default.
#if arch(x86_64) || arch(arm64)
    let nativeSwift: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "native"])]
#else
    let nativeSwift: [SwiftSetting] = []
#endif

let package = Package(
    name: "Manifold",
    products: [
        .executable(name: "manifold", targets: ["Manifold"])
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(name: "Base", swiftSettings: nativeSwift),
        .target(name: "TensorCore", exclude: ["Generators"], swiftSettings: nativeSwift),
        .target(name: "SafeTensors", dependencies: ["Base"], swiftSettings: nativeSwift),
        .target(name: "TerminalUI", dependencies: ["Base"], swiftSettings: nativeSwift),
        .target(name: "NeuralNet", dependencies: ["TensorCore", "SafeTensors"], swiftSettings: nativeSwift),
        .target(name: "Datasets", dependencies: ["TensorCore", "CZlib"], swiftSettings: nativeSwift),
        .target(name: "Models", dependencies: ["TensorCore", "NeuralNet"], swiftSettings: nativeSwift),
        .target(
            name: "Attacks", dependencies: ["TensorCore", "NeuralNet", "Models", "Datasets"], swiftSettings: nativeSwift
        ),
        .target(
            name: "Engine",
            dependencies: ["Base", "TensorCore", "NeuralNet", "SafeTensors", "Datasets", "Models", "Attacks", "CZlib"],
            swiftSettings: nativeSwift),
        .target(
            name: "Bench",
            dependencies: [
                "Base", "TensorCore", "SafeTensors", "NeuralNet", "Datasets", "Models", "Attacks", "Engine",
            ],
            resources: [.copy("Scripts")], swiftSettings: nativeSwift),
        .target(
            name: "Workbench",
            dependencies: [
                "Base", "TensorCore", "SafeTensors", "NeuralNet", "Datasets", "Models", "Attacks", "Engine",
                "TerminalUI",
            ],
            swiftSettings: nativeSwift),
        .executableTarget(
            name: "Manifold",
            dependencies: [
                "Base", "TensorCore", "SafeTensors", "NeuralNet", "Datasets", "Models", "Attacks", "Engine",
                "TerminalUI",
                "Bench", "Workbench",
            ],
            swiftSettings: nativeSwift),
        .testTarget(name: "BaseTests", dependencies: ["Base"], swiftSettings: nativeSwift),
        .testTarget(name: "TensorCoreTests", dependencies: ["TensorCore"], swiftSettings: nativeSwift),
        .testTarget(
            name: "SafeTensorsTests", dependencies: ["SafeTensors", "Base"], exclude: ["Fixtures"],
            swiftSettings: nativeSwift),
        .testTarget(
            name: "DatasetsTests", dependencies: ["Datasets", "TensorCore", "CZlib"], swiftSettings: nativeSwift),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"], swiftSettings: nativeSwift),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI"], swiftSettings: nativeSwift),
        .testTarget(
            name: "ModelsTests", dependencies: ["Models", "TensorCore", "NeuralNet", "Datasets"],
            swiftSettings: nativeSwift),
        .testTarget(
            name: "EngineTests",
            dependencies: [
                "Engine", "Attacks", "CZlib", "Models", "NeuralNet", "Datasets", "TensorCore", "SafeTensors",
            ],
            swiftSettings: nativeSwift),
        .testTarget(
            name: "AttacksTests", dependencies: ["Attacks", "Models", "NeuralNet", "Datasets", "TensorCore"],
            swiftSettings: nativeSwift),
        .testTarget(
            name: "ManifoldTests",
            dependencies: ["Manifold", "Workbench", "Base", "Bench", "SafeTensors", "TensorCore"],
            exclude: ["Fixtures"], swiftSettings: nativeSwift),
        .testTarget(name: "BenchTests", dependencies: ["Bench"], swiftSettings: nativeSwift),
        .testTarget(
            name: "WorkbenchTests",
            dependencies: ["Workbench", "Engine", "Attacks", "TerminalUI", "Datasets", "TensorCore"],
            swiftSettings: nativeSwift),
    ]
)
