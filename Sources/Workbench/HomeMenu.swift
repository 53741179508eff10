import Datasets
import Engine
import Foundation
import Models

/// The Home screen's menu: what to run, on which data, with a one-line hint per item. The items are
/// built once; the datasets on offer are probed once, when the menu is made.
struct HomeMenu {
    struct Item: Sendable {
        let title: String
        let hint: String
        /// The kind of job the item starts (the screen showing that kind opens).
        let kind: Job.Kind
        /// Builds and starts the job on a dataset spec.
        let makeJob: @Sendable (String) throws -> Job
    }

    static let items: [Item] = [
        Item(
            title: "Train MLP classifier", hint: "784-256-256-10 ReLU, Adam 1e-3; the model the attacks use",
            kind: .classifierTraining
        ) {
            try Job.trainClassifier(kind: .mlp, dataSpec: $0, epochs: 10, seed: 0, running: true)
        },
        Item(
            title: "Train CNN classifier",
            hint: "two 3x3 conv layers, max-pool, two dense layers: slower, more accurate", kind: .classifierTraining
        ) {
            try Job.trainClassifier(kind: .cnn, dataSpec: $0, epochs: 3, seed: 0, running: true)
        },
        Item(
            title: "Train autoencoder (k=30)", hint: "784-512-128-30 and back, MSE: a nonlinear PCA",
            kind: .generativeTraining
        ) {
            try Job.trainGenerative(kind: .ae, dataSpec: $0, epochs: 10, seed: 0, running: true)
        },
        Item(
            title: "Train VAE (k=20)", hint: "Kingma & Welling: reconstruction + KL, the ELBO in nats",
            kind: .generativeTraining
        ) {
            try Job.trainGenerative(kind: .vae, dataSpec: $0, epochs: 10, seed: 0, running: true)
        },
        Item(
            title: "Train adversarial AE",
            hint: "Makhzani et al.: a discriminator matches the codes to the prior (JSD)", kind: .generativeTraining
        ) {
            try Job.trainGenerative(kind: .aae, dataSpec: $0, epochs: 10, seed: 0, running: true)
        },
        Item(
            title: "Train Wasserstein AE",
            hint: "Tolstikhin et al.: a clipped critic estimates W1 between codes and prior", kind: .generativeTraining
        ) {
            try Job.trainGenerative(kind: .wae, dataSpec: $0, epochs: 10, seed: 0, running: true)
        },
        Item(
            title: "Train denoising AE (score)",
            hint: "noise-conditional denoiser: (r(x) - x)/sigma^2 estimates the score", kind: .generativeTraining
        ) {
            try Job.trainGenerative(kind: .dae, dataSpec: $0, epochs: 10, seed: 0, running: true)
        },
        Item(
            title: "Train DDPM (MLP)",
            hint: "Ho et al.: predict the noise at a random step of 1000; fast steps, speckled samples",
            kind: .generativeTraining
        ) {
            try Job.trainGenerative(kind: .ddpm, dataSpec: $0, epochs: 20, seed: 0, running: true)
        },
        Item(
            title: "Train DDPM (U-Net)",
            hint: "the same with a small U-Net: slow steps, clean samples (digits after a minute)",
            kind: .generativeTraining
        ) {
            try Job.trainGenerative(kind: .ddpm, dataSpec: $0, epochs: 5, seed: 0, running: true, network: .unet)
        },
        Item(
            title: "Sample from the newest run",
            hint: "DAE: annealed Langevin; DDPM: DDIM; VAE/AAE/WAE: the prior; else the 2-D toy", kind: .sampling
        ) { _ in
            try Job.defaultSampling(running: true)
        },
        Item(
            title: "Langevin dynamics, 2-D toy",
            hint: "particles follow a learned score to a Gaussian mixture, noise level by noise level", kind: .sampling
        ) { _ in
            Job.toyLangevin(running: true)
        },
        Item(
            title: "Attack lab (PGD on the newest classifier)",
            hint: "clean | adversarial | perturbation; +/- eps, ← → image, c: accuracy over eps", kind: .attack
        ) { _ in
            try Job.defaultAttack(running: true)
        },
        Item(
            title: "Robustness of the newest classifier",
            hint: "robust accuracy over eps: FGSM, PGD, APGD, Square, worst case; sanity flags", kind: .robustness
        ) { _ in
            try Job.defaultRobustness(running: true)
        },
        Item(
            title: "Adversarial training: MLP, PGD (eps 0.1)",
            hint: "Madry et al.: train on 7-step PGD examples; FGSM / PGD accuracy per epoch", kind: .classifierTraining
        ) {
            try Job.trainClassifier(
                kind: .mlp, dataSpec: $0, epochs: 5, seed: 0, running: true,
                adversarial: AdversarialTrainingSettings(method: .pgd, epsilon: 0.1))
        },
        Item(
            title: "Adversarial training: MLP, fast FGSM (eps 0.1)",
            hint: "Wong et al.: FGSM from a random start, cyclic lr; watch for catastrophic overfitting",
            kind: .classifierTraining
        ) {
            try Job.trainClassifier(
                kind: .mlp, dataSpec: $0, epochs: 5, seed: 0, running: true,
                adversarial: AdversarialTrainingSettings(method: .fastFGSM, epsilon: 0.1))
        },
        Item(
            title: "Compare AE vs PCA", hint: "same k, same test images: both errors, and both curves over k",
            kind: .comparison
        ) {
            try Job.compare(dataSpec: $0, running: true)
        },
    ]

    var selected = 0
    var datasetIndex = 0

    /// Datasets offered: the embedded digits, and Fashion-MNIST when Debian's package is installed.
    private(set) var datasets: [String]

    /// - Parameter datasets: the datasets on offer; by default probed on disk once, here.
    init(datasets: [String] = HomeMenu.installedDatasets()) {
        precondition(!datasets.isEmpty, "Home offers at least one dataset")
        self.datasets = datasets
    }

    /// The embedded digits, and Fashion-MNIST when Debian's package is installed.
    static func installedDatasets() -> [String] {
        var list = ["synthetic"]
        if FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") {
            list.append("fashion")
        }
        return list
    }

    /// What Enter starts on an empty screen that shows jobs of `kinds`: the first item starting one.
    static func defaultItem(for kinds: Set<Job.Kind>) -> Item? {
        items.first { kinds.contains($0.kind) }
    }

    var dataset: String { datasets[min(datasetIndex, datasets.count - 1)] }
    var selectedItem: Item { HomeMenu.items[selected] }

    mutating func move(_ delta: Int) {
        selected = (selected + delta + HomeMenu.items.count) % HomeMenu.items.count
    }

    /// Offers `spec` (the workbench's `--data`, say an IDX folder) beside the probed datasets and selects it:
    /// Home offered only those it probed, and its jobs trained on the synthetic digits instead.
    mutating func select(dataset spec: String) {
        if !datasets.contains(spec) { datasets.append(spec) }
        datasetIndex = datasets.firstIndex(of: spec) ?? 0
    }

    mutating func cycleDataset(_ delta: Int) {
        datasetIndex = (datasetIndex + delta + datasets.count) % datasets.count
    }
}
