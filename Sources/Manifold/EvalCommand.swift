import Base
import Datasets
import Engine
import Foundation
import Models
import SafeTensors
import TensorCore

/// `manifold eval RUN`: test metrics of a saved classifier run, recomputed from its checkpoint.
enum EvalCommand {
    static let data = SharedOptions.data.withDefault(nil, shown: "the run's").withHelp(
        "evaluate on another dataset (all its test images)")

    static let declaration = CommandDeclaration(
        name: "eval", arguments: "RUN", summary: "test metrics and confusion matrix of a saved run",
        about: HelpText.eval,
        options: [
            data.declaration, SharedOptions.json.declaration, SharedOptions.threads.declaration,
        ], maxPositional: 1)

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        guard let runName = parsed.positional.first else {
            throw UsageError("'eval' needs a run: manifold eval RUN (see 'manifold runs')")
        }
        try SharedOptions.applyThreads(parsed)
        InterruptNote.set("interrupted: eval writes no files; no report was printed")
        let dataOverride = try parsed.given(data)
        let json = parsed.has(SharedOptions.json)
        let run = try resolveRunArgument(runName, argument: "eval")
        guard run.exists else { throw UsageError("no run folder '\(run.path)'\(run.nameHint) (see 'manifold runs')") }
        let config = try run.readConfig()
        let modelName = config["model"]?.stringValue ?? ""
        guard let kind = Classifier.Kind(rawValue: modelName) else {
            let message =
                "\(run.file("config.json")): " + RunKindMismatch.classifierMessage(run: run.name, model: modelName)
            if RunKindMismatch.isKnown(modelName) { throw UsageError(message) }
            throw RuntimeError(message)
        }
        // A damaged size or class list is the config's fault: said before the data is read.
        let recorded = try LoadedClassifierRun.recordedShape(config, run: run)
        let dataSpec = dataOverride ?? config["data"]?.stringValue ?? "synthetic"
        let seed = config["seed"]?.stringValue.flatMap { UInt64($0) } ?? 0
        let testSet = RunTestSet(
            run: run, config: config, full: try DatasetLoader.load(dataSpec, seed: seed, withTraining: false),
            dataSpec: dataSpec,
            useRunLimits: dataOverride == nil)
        let dataset = testSet.dataset
        // The classes it was trained on (config.json's list; the data's when it has none) and the image size
        // (28x28 when it has none); one recorded but implausible is refused, naming the key, as `attack` does.
        let classes = recorded.classes ?? dataset.classCount
        let size = (height: recorded.height ?? 28, width: recorded.width ?? 28)
        if let problem = Classifier.sizeProblem(kind: kind, imageHeight: size.height, imageWidth: size.width) {
            throw RuntimeError("\(run.file("config.json")): \(problem)")
        }
        // Sizes the weights cannot have are the config's fault, not the data's: said before the data is compared.
        let architecture = Classifier.Architecture.of(config)
        try RunCheckpoint.checkRoom(
            run: run,
            weights: Classifier.parameterCount(
                kind: kind, architecture: architecture, imageHeight: size.height, imageWidth: size.width,
                classCount: classes),
            sizes: "\(kind.rawValue) of \(size.height)x\(size.width) images, \(classes) classes")
        // The classifier has the classes it was trained on (config.json's list, when plausible); data
        // with fewer is fine, with more is not.
        try ClassCountMismatch.check(
            dataSpec: dataSpec, dataClasses: dataset.classCount, runName: Sanitize.line(run.name), runClasses: classes)
        try ImageSizeMismatch.check(
            dataSpec: dataSpec, dataSize: (dataset.imageHeight, dataset.imageWidth), runName: Sanitize.line(run.name),
            runSize: size)
        var generator = RandomGenerator(seed: 0)
        let model = Classifier(
            kind: kind, architecture: architecture, imageHeight: size.height, imageWidth: size.width,
            classCount: classes, generator: &generator)
        try RunCheckpoint.load(run: run, module: model)
        let evaluation = ClassifierEvaluation.evaluate(
            model, images: dataset.testImages, labels: dataset.testLabels, pixelsPerImage: dataset.pixelCount)
        try NonFiniteOutputs.check(evaluation, run: run)
        if let note = testSet.limitNote { printError(note) }
        if json {
            var object: [String: JSONValue] = [
                "model": .string(kind.rawValue), "dataset": .string(dataset.name), "run": .string(run.path),
                "test": .object([
                    "accuracy": .number(evaluation.accuracy), "loss": .number(evaluation.loss),
                    "count": .integer(evaluation.count),
                ]),
                "confusion": .array(evaluation.confusion.map { .array($0.map { .integer($0) }) }),
            ]
            for (key, value) in testSet.jsonFields { object[key] = value }
            print(JSONValue.object(object).serialized())
        } else {
            print(
                String(
                    format: "%@ (%@ on %@): test accuracy %.4f, loss %.4f over %@", Sanitize.line(run.path),
                    kind.rawValue, Sanitize.line(dataset.name), evaluation.accuracy, evaluation.loss,
                    counted(evaluation.count, "image")))
            print("confusion matrix (rows: true class, columns: predicted):")
            for (index, row) in evaluation.confusion.enumerated() {
                let name =
                    index < dataset.classNames.count
                    ? Sanitize.line(dataset.classNames[index], limit: 12) : String(index)
                print(
                    name.padding(toLength: 12, withPad: " ", startingAt: 0)
                        + row.map { String(format: "%6d", $0) }.joined())
            }
        }
        return 0
    }
}

/// `manifold runs`: the saved runs with model, dataset, date and final metrics.
enum RunsCommand {
    static let declaration = CommandDeclaration(
        name: "runs", summary: "list saved runs", about: HelpText.runs,
        options: [
            SharedOptions.json.withHelp(
                "one object {\"runs\": [...]}; a run whose config.json cannot be read has an \"error\" field"
            ).declaration
        ])

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try declaration.parse(arguments)
        let json = parsed.has(SharedOptions.json)
        try RunDirectory.checkRoot()
        let runs = RunDirectory.list()
        var rows: [JSONValue] = []
        // The RUN column is as wide as the longest name (40 at least), so that every name is whole and can be
        // copied: names that share a long prefix (poisoned runs' defaults) were cut to the same 38 characters.
        let names = runs.map { Sanitize.line($0.name) }
        let nameWidth = max(40, (names.map(\.count).max() ?? 0) + 2)
        let configs = runs.map { run in Result { try run.readConfig() } }
        // The DATASET column as wide as its longest entry (a data folder's name, up to 40 characters), so a
        // long folder name does not run into the epochs.
        let datasets = configs.map { config in
            Sanitize.line((try? config.get())?["dataset"]?.stringValue ?? "?", limit: 40)
        }
        let datasetWidth = max(11, datasets.map(\.count).max() ?? 0) + 1
        if !json {
            if runs.isEmpty {
                print("no runs in '\(RunDirectory.defaultRoot)' yet: try 'manifold train mlp'")
                return 0
            }
            print(
                "RUN".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "MODEL  "
                    + "DATASET".padding(toLength: datasetWidth, withPad: " ", startingAt: 0)
                    + "EPOCHS  ACCURACY  CREATED")
        }
        for ((run, name), (loaded, datasetColumn)) in zip(zip(runs, names), zip(configs, datasets)) {
            let config: [String: JSONValue]
            do {
                config = try loaded.get()
            } catch {
                if json {
                    rows.append(
                        .object(["run": .string(run.path), "error": .string(Sanitize.line("\(error)", limit: 400))]))
                } else {
                    print(
                        name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "(\(run.configProblem(error)))"
                    )
                }
                continue
            }
            let model = config["model"]?.stringValue ?? "?"
            let dataset = config["dataset"]?.stringValue ?? "?"
            // A count that a resume would refuse (negative, fractional, text, above 1,000,000, or none at all)
            // lists as "?" (null), not as a number, as in the workbench's Runs list.
            let epochs = try? TrainingPlan.epochsDone(config, source: run.path)
            // An accuracy that is not one (outside 0...1, not finite: a hand-edited 1e308) lists as "?" (null),
            // as such a count of epochs does.
            let accuracy = try? RunConfig.testAccuracy(config, source: run.path)
            let created = config["created"]?.stringValue ?? ""
            rows.append(
                .object([
                    "run": .string(run.path), "model": .string(model), "dataset": .string(dataset),
                    "epochs": epochs.map { .integer($0) } ?? .null,
                    "test_accuracy": accuracy.map { .number($0) } ?? .null, "created": .string(created),
                ]))
            if !json {
                let columns =
                    Sanitize.line(model, limit: 6).padding(toLength: 7, withPad: " ", startingAt: 0)
                    + datasetColumn.padding(toLength: datasetWidth, withPad: " ", startingAt: 0)
                    + (epochs.map(String.init) ?? "?").padding(toLength: 8, withPad: " ", startingAt: 0)
                    + RunConfig.shownTestAccuracy(config).padding(toLength: 10, withPad: " ", startingAt: 0)
                print(
                    name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + columns
                        + Sanitize.line(created, limit: 25))
            }
        }
        if json { print(JSONValue.object(["runs": .array(rows)]).serialized()) }
        return 0
    }
}
