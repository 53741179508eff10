import Engine

/// Keys that start a job of which one at a time is enough (an evaluation of a run, its AutoAttack, its
/// threat-model table) and that stay on the screen showing it: held down, each repeat started another copy,
/// each loading the models and data again. While such a job is under way, the key shows it instead.
extension WorkbenchState {
    /// The index of the first job that is not done (loading, running or paused) and that `matches`.
    func jobUnderWay(where matches: (Job) -> Bool) -> Int? {
        jobs.indices.first { !WorkbenchState.isDone(jobs[$0]) && matches(jobs[$0]) }
    }

    /// Starts the job `make` builds, unless a job under way `matches`: that one is shown on its screen
    /// instead and the status line says `already`.
    mutating func startOnce(matching matches: (Job) -> Bool, already: String, _ make: () throws -> Job) {
        guard let index = jobUnderWay(where: matches) else {
            start(make)
            return
        }
        if let screen = screenIndex(for: jobs[index].kind) {
            shown[screen] = index
            current = screen
        }
        message = already
    }
}
