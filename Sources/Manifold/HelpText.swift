import Engine
import Models

/// The help texts: the overview `manifold --help` prints (its command list built from the command
/// declarations), the prose of each declared command's `help COMMAND` (its option list comes from the
/// declaration).
enum HelpText {
    /// Every command, in the order the overview lists them.
    static let catalog: [CommandDeclaration] = [
        TUICommand.declaration, TUICommand.watchDeclaration,
        TrainOptions.declaration,
        SampleCommand.declaration, CompareCommand.declaration, AttackCommand.declaration, PoisonCommand.declaration,
        DefendCommand.declaration,
        EvalCommand.declaration, RunsCommand.declaration,
        BenchCommand.declaration,
        WidgetGalleryCommand.declaration,
    ]

    /// The help of command `name`, or nil for an unknown command.
    static func help(for name: String) -> String? {
        (catalog + catalog.flatMap(\.subcommands)).first { $0.name == name }?.help
    }

    /// The column where a command's summary starts in the overview.
    static let overviewColumn = 18

    static var overview: String {
        var lines = [
            "manifold: a terminal workbench for generative models and adversarial attacks on MNIST-style images", "",
            "usage: manifold [COMMAND] [OPTIONS]", "", "commands:",
        ]
        let entries = catalog.map { ($0.arguments.isEmpty ? $0.name : "\($0.name) \($0.arguments)", $0.summary) }
        let extras = [
            ("help COMMAND", "details of one command"),
            ("version", "the name and version (--json: one object {\"name\", \"version\"}); also --version"),
        ]
        for (synopsis, summary) in entries + extras {
            // A synopsis too long for the column stands on its own line, whole, above its summary.
            let head = "  " + synopsis
            let words = summary.split(separator: " ").map(String.init)
            if head.count + 1 > overviewColumn { lines.append(head) }
            let prefix =
                head.count + 1 > overviewColumn
                ? String(repeating: " ", count: overviewColumn)
                : head.padding(toLength: overviewColumn, withPad: " ", startingAt: 0)
            lines += OptionHelp.wrap(words, width: OptionHelp.width, prefix: prefix, indent: overviewColumn)
        }
        // The commands that take no --threads (nothing they do computes in parallel), named as typed.
        let threadless =
            (catalog + catalog.flatMap(\.subcommands)).filter { command in
                command.subcommands.isEmpty && !command.options.contains { $0.name == SharedOptions.threads.name }
            }.map(\.name) + ["version"]
        let except = threadless.dropLast().joined(separator: ", ") + " and " + threadless[threadless.count - 1]
        let options = "options: --help (every command); --threads N sets the compute threads (all but \(except))"
        lines.append("")
        lines += OptionHelp.wrap(
            options.split(separator: " ").map(String.init), width: OptionHelp.width, prefix: "", indent: 2)
        lines += [
            "runs are saved under ./runs (or $MANIFOLD_RUNS)", "exit status: 0 success, 1 runtime error, 2 usage error",
        ]
        return lines.joined(separator: "\n")
    }

    /// `help train`'s prose; the option list comes from `TrainOptions`.
    static let train = """
        MODEL is one of the \(ModelKind.allCases.count) models: the classifiers \(Classifier.Kind.allCases.map(\.rawValue).joined(separator: ", ")) and the
        generative models \(GenerativeKind.allCases.map(\.rawValue).joined(separator: ", ")) (below).
        Trains and writes runs/NAME/: config.json, metrics.csv, model.safetensors, optimizer.safetensors
        (written together after each epoch, config.json last; a failed write keeps the previous epoch).
        A run is locked while it trains; Ctrl-C stops between steps and prints the command that resumes.
          mlp   784-256-256-10, ReLU (Adam on softmax cross-entropy)
          cnn   conv(1->32,3x3,pad 1)-ReLU-maxpool2-conv(32->64)-ReLU-maxpool2-fc(3136->128)-ReLU-
                fc(128->10); --net madry: conv(1->32,5x5,pad 2)-maxpool2-conv(32->64,5x5,pad 2)-
                maxpool2-fc(3136->1024)-fc(10); --net wong: conv(1->16,4x4,stride 2,pad 1)-
                conv(16->32, same)-fc(1568->100)-fc(10), ReLU between
                --adversarial pgd|fgsm-rs|trades --eps E: adversarial training (see README), with FGSM
                and PGD accuracy on 256 training images each epoch; --early-stop-pgd keeps the best
                PGD epoch
                --noise-aware: trained on diffused batches x_t (the DDPM's schedule, no time input), a
                classifier for sample ddpm|ddim --classifier-guidance
          pca   principal components (Householder + QL eigensolver); reports test mse, explained variance
          ae    784-512-128-K / K-128-512-784, ReLU, sigmoid output, MSE (default K 30)
          vae   pytorch/examples VAE 784-400-(K,K) / K-400-784, BCE(sum) + KL; reports neg_elbo,
                recon, kl and the IWAE bound (--iw K samples) (default K 20); --conditional: the
                conditional VAE (Sohn et al. 2015), the one-hot label joined to the encoder's input and
                the decoder's code, sampled with sample prior --class K
          aae   adversarial autoencoder, discriminator on the code, --prior; reports mse and the JSD
                estimate (V(D) + 2 log 2)/2 (default K 8, lr 3e-4)
          wae   Wasserstein autoencoder, --penalty critic (weight clipping --clip) or mmd (inverse
                multiquadratic kernel), --lambda; reports mse and w1_estimate or mmd
          dae   denoising autoencoder / score model, --sigmas (noise-conditional when several)
          ddpm  DDPM, T=1000, eps-prediction MLP 912-1024-1024-784 SiLU, Adam 2e-4; reports eps_mse;
                --net mlp-t (the embedding also projected into the later layers), mlp (embedding
                concatenated to the input only) or unet (a small U-Net: residual blocks with GroupNorm,
                32-64-64 channels; far better samples for ~70x the arithmetic: about 3 min a
                Fashion-MNIST epoch on 2 idle cores, and 3 epochs give recognisable samples);
                --net unet --conditional: a class embedding added to the time embedding, the label
                dropped with probability --p-uncond (0.1), for classifier-free guidance
        The model name comes first: manifold train vae --data fashion. With --resume the run's own
        data, image counts and settings are used, and its batch size, learning rate and seed unless
        --batch, --lr or --seed is given.
        """

    static let sample = """
        Samples from a trained generative run with a step-machine sampler and writes a PNG grid
        (atomically).
          prior              decode z ~ p(z) (vae, aae, wae); --interpolate A B decodes a walk
                             between the codes of test images A and B instead
          langevin           x += eps s(x) + sqrt(2 eps) z with the DAE's score (r(x) - x)/sigma^2
                             at its smallest level
          annealed-langevin  Song & Ermon 2019 over the trained levels, --steps per level,
                             step eps sigma_i^2/sigma_L^2; the PNG shows the denoised last state
          ddpm               ancestral sampling over T = 1000 steps; --variance beta|posterior,
                             --clip clips the predicted x0 to [-1, 1]
          ddim               Song et al. 2021, --steps S of the T, --eta 0 is deterministic
        ddpm and ddim on a ddpm run trained with --conditional (and prior on a conditional vae run):
        --class K draws class K (--class all: a row of --n per class); for ddpm and ddim --guidance W
        mixes in classifier-free guidance (Ho & Salimans 2021), eps = (1 + W) eps(x, t, K) - W
        eps(x, t, none); --json adds class_accuracy, the share of samples the scoring classifier
        assigns to the class asked for.
        ddpm and ddim on any ddpm run: --class K --classifier-guidance RUN [--scale S] adds classifier
        guidance (Dhariwal & Nichol 2021) by a saved mlp/cnn run: ddpm shifts each step's mean by
        S sigma_t^2 grad log p(K | x_t), ddim uses eps - sqrt(1 - alphaBar_t) S grad log p(K | x_t);
        class_accuracy is still scored by the separate scoring classifier.
        manifold bench guidance tabulates class accuracy and FCD (overall and per class) over w and
        over S, scored by a separate classifier run.
        Scores: class entropy (nats), classes covered and a Frechet distance on the
        classifier's penultimate features against test images. --classifier RUN uses a saved
        mlp/cnn run; without it a quick MLP is trained (2 epochs, up to 10,000 images) and the
        JSON says "classifier": "quick-mlp". A diverging chain stops with an error, writing nothing.
        """

    static let compare = """
        Trains the autoencoder (784-512-128-K) and fits PCA with K components, or reuses saved runs
        (which must have the same K), and prints both test reconstruction errors (MSE per pixel) side by
        side. Saved runs trained with --test-limit are compared on that test subset, and say so on stderr
        (--data or --test-limit choose otherwise).
        """

    static let attack = """
        Attacks the first N test images of a saved classifier run and reports clean and adversarial
        accuracy, success rate (a wrong class; for targeted attacks the target), the mean L-inf, L2 and
        L0 perturbation, gradient evaluations or queries, and seconds. A run trained with --test-limit
        is attacked on its own test subset, and says so on stderr.
          fgsm      fast gradient sign, x' = clip(x + eps sign(grad L)) (Goodfellow et al. 2015)
          bim       iterative FGSM: steps of alpha, projected to the eps-ball (Kurakin et al. 2016)
          ll, ill   one-step / iterative least-likely class, y_LL = argmin p(k|x) (Kurakin et al. 2016)
          pgd       projected gradient descent, L-inf or --norm 2, random start (--no-random-start),
                    --restarts R (Madry et al. 2018); pgd-l2 is pgd --norm 2
          cw        Carlini-Wagner L2: tanh variables, Adam (--lr), margin with --kappa, per-image
                    binary search over c (--c, --search-steps) (2017); --torchattacks: torchattacks
                    3.5.1's masked margin and early abort, one c; targeted CW needs more steps (pixels
                    at 0 or 1 sit where tanh is flat): --target ll reaches 24% of targets in 100 steps,
                    100% in 1000 (Fashion MLP)
          apgd      auto-PGD: no step size, momentum 0.75, step halved at checkpoints, L-inf or
                    --norm 2; --loss ce (default) or dlr, the difference of logits ratio
                    -(z_y - max_{i!=y} z_i) / (z_pi1 - z_pi3), targeted with --target (Croce & Hein 2020)
          apgd-t    APGD with the targeted DLR loss, once per each of the --targets K (9) most likely
                    other classes, on the images still correct; success is any wrong class
          fab       fast adaptive boundary: minimal L-inf or --norm 2 perturbation by projecting onto
                    the nearest linearised boundary, kept if within --eps; min_norm per image;
                    --targets K: FAB-T, the K most likely other classes in turn; --restarts R: R
                    runs, the later ones from random points at eps/2 (Croce & Hein 2020)
          autoattack  the standard robustness evaluation (Croce & Hein 2020): apgd-ce, apgd-t (DLR,
                    --targets 9), fab-t (9 targets), square (--queries 5000; L-inf or L2), --steps 100
                    each, each on the images still robust; robust accuracy is the per-image worst
                    case, reported after each component (JSON components; results.csv broken_by);
                    --version rand: apgd-ce and apgd-dlr with gradients averaged over --eot 20 draws
          deepfool  minimal L2 perturbation by linearising the boundaries of the top --candidates
                    classes, --overshoot (Moosavi-Dezfooli et al. 2016)
          uap       one universal v, ||v|| <= --eps (--norm inf|2), built with DeepFool steps over
                    --train-n training images for --epochs passes or until the fooling rate reaches
                    --goal; --transfer-run RUN also measures v on a second model (fooling_rate,
                    transfer_fooling_rate); --out also writes uap-perturbation.png
                    (Moosavi-Dezfooli et al. 2017)
          spatial   worst case over rotations (--rotation deg in --rotation-steps) and shifts
                    (--shift px), bilinear; names the transform that fooled each image (Engstrom
                    et al. 2019)
          onepixel  black box: differential evolution over (row, col, value) of --pixels P pixels,
                    --population, --steps generations; probabilities only (Su et al. 2019)
          square    black box Square Attack: random search, margin loss on log-probabilities,
                    --queries per image, --p-init; L-inf: random squares of +-eps; --norm 2: the
                    L2 version, pseudo-Gaussian squares that move the perturbation's mass between
                    two windows, ||delta||_2 = eps (Andriushchenko et al. 2020)
          transfer  gray box: craft with --with METHOD on --run, evaluate on --target-run; --with
                    uap also reports v's fooling rate on --run (surrogate_fooling_rate) and on
                    --target-run (transfer_fooling_rate; --transfer-run is refused) and --out writes
                    uap-perturbation.png
          feature   feature adversaries: move the activations of the sources (the first --n test images
                    of other classes) at --layer onto those of test image --guide, within --eps, by
                    sign-gradient steps; success is the guide's class (Sabour et al. 2016)
          ppgd      perceptual PGD: the margin loss within --bound (0.1) of the classifier's own LPIPS
                    distance over --layers, projected back by bisection (Laidlaw et al. 2021)
          lpa       Lagrangian perceptual attack: margin - --lambda relu(d - --bound), --search-steps
                    rounds with a per-image search over lambda; every output within the bound
                    (Laidlaw et al. 2021)
        --target all (pgd, pgd-l2, bim, apgd): a targeted run towards every class from the same --n
        (10) test images (pgd and bim start at the clean image); prints success and mean p(target) per
        class, --out writes target-grid.png (a row per image: clean, then one column per target) and
        target-sweep.csv; --compare RUN2 does the same on a second run and writes
        target-grid-side-by-side.png (--run left). With a large radius (pgd-l2 --eps 10 --steps 100,
        or --eps 0.5) an adversarially trained model draws the target class, a standard one mostly
        adds texture (perceptually aligned gradients: Tsipras et al. 2019, Santurkar et al. 2019)
        """

    static let poison = """
        Trains a classifier on a poisoned training set and saves it as a run whose config keeps the
        clean test accuracy and, for a backdoor, the attack success rate.
          labelflip  a fraction of training labels changed to another class at random; --fractions
                     0,0.1,0.2,0.4 trains one model per fraction for the curve
          backdoor   BadNets (Gu et al. 2017): a 4x4 checkerboard stamped bottom-right on a fraction
                     of training images, relabelled to --target C; the success rate is the share of
                     triggered test images of other classes sent to C
        """

    static let eval = """
        Loads RUN's checkpoint and reports test accuracy, loss and the confusion matrix.
        RUN is a name from 'manifold runs' (or runs/NAME). A run trained with --test-limit is measured
        on its own test subset, and says so on stderr.
        """

    static let runs = """
        Lists the runs under ./runs (or $MANIFOLD_RUNS): model, dataset, epochs, accuracy, date.
        """

    static let tui = """
        The full-screen workbench. It opens on the Train screen with the MLP training on the data
        (default: the embedded synthetic digits); --paused opens it idle. ? shows the keys, q quits.
        Needs a terminal: with stdout piped or TERM=dumb, use the headless commands.
        """

    static let watch = """
        Opens the workbench on a run that another process is training (for example a headless run
        on a bigger machine whose run folder is synced here): it re-reads metrics.csv and config.json
        when they change and, for classifiers, reloads model.safetensors to show fresh predictions.
        """

    static let demo = """
        A full-screen gallery of every terminal widget driven by synthetic data. q quits, ? helps.
        """
}
