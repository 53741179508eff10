/// The `--help` texts, one per command.
enum HelpText {
    static let version = "manifold 0.1.0"

    static let overview = """
        manifold: a terminal workbench for generative models and adversarial attacks on MNIST-style images

        usage: manifold [COMMAND] [OPTIONS]

        commands:
          tui             the full-screen workbench (the default on a terminal)
          train MODEL     train a model headless and save it as a run (models: mlp, cnn)
          eval RUN        test metrics and confusion matrix of a saved run
          runs            list saved runs
          bench WHAT      benchmarks: gemm, tui
          demo            full-screen gallery of the terminal widgets
          help COMMAND    details of one command

        options for every command: --help, --version; --threads N sets the compute threads
        runs are saved under ./runs (or $MANIFOLD_RUNS)
        exit status: 0 success, 1 runtime error, 2 usage error
        """

    static let commands: [String: String] = [
        "train": """
            usage: manifold train mlp|cnn [--data D] [--epochs N] [--batch B] [--lr X] [--seed S]
                                          [--run NAME] [--resume] [--threads N] [--json] [--quiet]
                                          [--train-limit N] [--test-limit N]

            Trains a classifier with Adam on softmax cross-entropy and writes runs/NAME/: config.json,
            metrics.csv, model.safetensors, optimizer.safetensors (each written atomically).
              mlp   784-256-256-10, ReLU
              cnn   conv(1->32,3x3,pad 1)-ReLU-maxpool2-conv(32->64)-ReLU-maxpool2-fc(3136->128)-ReLU-fc(128->10)
            --data D        synthetic (default, embedded), fashion (Debian's dataset-fashion-mnist), or a
                            folder with the four MNIST-format IDX files (raw or .gz)
            --epochs N      epochs in total (default 1); with --resume, the total to reach
            --batch B       mini-batch size (default 128)
            --lr X          Adam learning rate (default 0.001)
            --seed S        seed for initialisation, data order and the synthetic digits (default 0)
            --run NAME      run folder name under runs/ (default: MODEL-DATASET-DATE-TIME)
            --resume        continue run NAME exactly where it stopped
            --json          print one JSON object with the final metrics on stdout
            --quiet         no progress on stderr
            --train-limit N, --test-limit N   use only the first N images (quick experiments)
            """,
        "eval": """
            usage: manifold eval RUN [--data D] [--json]

            Loads RUN's checkpoint and reports test accuracy, loss and the confusion matrix.
            RUN is a name from 'manifold runs' (or runs/NAME). --data overrides the run's dataset.
            """,
        "runs": """
            usage: manifold runs [--json]

            Lists the runs under ./runs (or $MANIFOLD_RUNS): model, dataset, epochs, accuracy, date.
            """,
        "bench": """
            usage: manifold bench gemm [--threads N] [--json] [--no-numpy]
                   manifold bench tui [--json]

            gemm  GFLOP/s of the matrix-multiply kernel on the shapes the models use, at 1 thread and at
                  all cores, next to numpy (OpenBLAS) measured in the same run when python3 has numpy.
            tui   frame time and bytes written for a 200x60 screen of charts, a scatter and images.
            """,
        "tui": """
            usage: manifold [tui] [--theme NAME|PATH] [--data D] [--paused] [--threads N]

            The full-screen workbench. It opens on the Train screen with the MLP training on the data
            (default: the embedded synthetic digits); --paused opens it idle. ? shows the keys, q quits.
            Themes: dark (default), light, high-contrast, colorblind, or a JSON file; also $MANIFOLD_THEME.
            Needs a terminal: with stdout piped or TERM=dumb, use the headless commands.
            """,
        "demo": """
            usage: manifold demo [--theme NAME|PATH]

            A full-screen gallery of every terminal widget driven by synthetic data. q quits, ? helps.
            """,
    ]
}
