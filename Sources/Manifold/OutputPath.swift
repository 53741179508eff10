/// The path of a file written into an `--out` folder as the command line gave the folder: a relative folder
/// stays relative, and a trailing slash does not double ("adv/" and "adv" both give "adv/results.csv"). What
/// `--json` reports for the files a command wrote.
enum OutputPath {
    static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}
