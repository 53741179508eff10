import Datasets
import Engine
import Foundation
import Models

/// The Home screen's menu: what to run, on which data, with a one-line hint per item.
struct HomeMenu {
    struct Item {
        let title: String
        let hint: String
        let screen: WorkbenchState.Screen
        /// Builds and starts the job on a dataset spec.
        let makeJob: (String) throws -> Job
    }

    static var items: [Item] { [
        Item(title: "Train MLP classifier", hint: "784-256-256-10 ReLU, Adam 1e-3; the model the attacks use", screen: .train) {
            try Job.trainClassifier(kind: .mlp, dataSpec: $0, epochs: 10, seed: 0, running: true)
        },
        Item(title: "Train CNN classifier", hint: "two 3x3 conv layers, max-pool, two dense layers: slower, more accurate", screen: .train) {
            try Job.trainClassifier(kind: .cnn, dataSpec: $0, epochs: 3, seed: 0, running: true)
        },
        Item(title: "Train autoencoder (k=30)", hint: "784-512-128-30 and back, MSE: a nonlinear PCA", screen: .train) {
            try Job.trainGenerative(kind: .ae, dataSpec: $0, epochs: 10, seed: 0, running: true)
        },
        Item(title: "Train VAE (k=20)", hint: "Kingma & Welling: reconstruction + KL, the ELBO in nats", screen: .train) {
            try Job.trainGenerative(kind: .vae, dataSpec: $0, epochs: 10, seed: 0, running: true)
        },
        Item(title: "Train adversarial AE", hint: "Makhzani et al.: a discriminator matches the codes to the prior (JSD)", screen: .train) {
            try Job.trainGenerative(kind: .aae, dataSpec: $0, epochs: 10, seed: 0, running: true)
        },
        Item(title: "Train Wasserstein AE", hint: "Tolstikhin et al.: a clipped critic estimates W1 between codes and prior", screen: .train) {
            try Job.trainGenerative(kind: .wae, dataSpec: $0, epochs: 10, seed: 0, running: true)
        },
        Item(title: "Train denoising AE (score)", hint: "noise-conditional denoiser: (r(x) - x)/sigma^2 estimates the score", screen: .train) {
            try Job.trainGenerative(kind: .dae, dataSpec: $0, epochs: 10, seed: 0, running: true)
        },
        Item(title: "Train DDPM (MLP)", hint: "Ho et al.: predict the noise at a random step of 1000; fast steps, speckled samples", screen: .train) {
            try Job.trainGenerative(kind: .ddpm, dataSpec: $0, epochs: 20, seed: 0, running: true)
        },
        Item(title: "Train DDPM (U-Net)", hint: "the same with a small U-Net: slow steps, clean samples (digits after a minute)", screen: .train) {
            try Job.trainGenerative(kind: .ddpm, dataSpec: $0, epochs: 5, seed: 0, running: true, network: .unet)
        },
        Item(title: "Sample from the newest run", hint: "DAE: annealed Langevin; DDPM: DDIM; VAE/AAE/WAE: the prior; else the 2-D toy", screen: .sample) { _ in
            try Job.defaultSampling(running: true)
        },
        Item(title: "Langevin dynamics, 2-D toy", hint: "particles follow a learned score to a Gaussian mixture, noise level by noise level", screen: .sample) { _ in
            Job.toyLangevin(running: true)
        },
        Item(title: "Attack lab (PGD on the newest classifier)", hint: "clean | adversarial | perturbation; +/- eps, ← → image, c: accuracy over eps", screen: .attack) { _ in
            try Job.defaultAttack(running: true)
        },
        Item(title: "Compare AE vs PCA", hint: "same k, same test images: both errors, and both curves over k", screen: .compare) {
            try Job.compare(dataSpec: $0, running: true)
        },
    ] }

    var selected = 0
    var datasetIndex = 0

    /// What Enter starts on an empty screen.
    static func defaultItem(for screen: WorkbenchState.Screen) -> Item? {
        items.first { $0.screen == screen }
    }

    /// Datasets offered: the embedded digits, and Fashion-MNIST when Debian's package is installed.
    var datasets: [String] {
        var list = ["synthetic"]
        if FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") {
            list.append("fashion")
        }
        return list
    }

    var dataset: String { datasets[min(datasetIndex, datasets.count - 1)] }
    var selectedItem: Item { HomeMenu.items[selected] }

    mutating func move(_ delta: Int) {
        selected = (selected + delta + HomeMenu.items.count) % HomeMenu.items.count
    }

    mutating func cycleDataset(_ delta: Int) {
        datasetIndex = (datasetIndex + delta + datasets.count) % datasets.count
    }
}
