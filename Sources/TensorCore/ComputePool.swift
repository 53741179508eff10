import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Worker threads for the compute kernels that spin briefly between jobs before sleeping.
///
/// `DispatchQueue.concurrentPerform` parks its workers after every call, and waking one costs
/// tens of microseconds, a tenth of a 100-MFLOP GEMM on two cores. These workers keep checking
/// for a new job for `spinNanoseconds` after each one, then block on a semaphore. One job runs
/// at a time: a caller that finds the pool busy (another thread's job, or a nested call from
/// inside a job) falls back to `concurrentPerform`.
///
/// `@unchecked Sendable`: `job` and `iterations` are written only by the submitting thread while
/// it holds `busy` and the job is closed (`generation` even). A worker reads them only after
/// registering in `active` and seeing the same open (odd) generation again; the submitter closes
/// the job and waits for `active` to drain before it clears or replaces them.
final class ComputePool: @unchecked Sendable {
    static let shared = ComputePool()

    /// How long an idle worker keeps polling for the next job.
    static let spinNanoseconds: UInt64 = 200_000

    private let busy = Atomic<Bool>(false)
    private let generation = Atomic<Int>(0)
    private let nextIndex = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let active = Atomic<Int>(0)
    private var job: ((Int) -> Void)? = nil
    private var iterations = 0
    private let workers = Mutex<[DispatchSemaphore]>([])

    /// Runs `body(0 ..< iterations)` on the calling thread and up to `threads - 1` workers.
    func run(iterations: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
        if iterations <= 0 { return }
        if iterations == 1 || threads <= 1 {
            for index in 0..<iterations { body(index) }
            return
        }
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            DispatchQueue.concurrentPerform(iterations: iterations, execute: body)
            return
        }
        let semaphores = ensureWorkers(min(threads, iterations) - 1)
        withoutActuallyEscaping(body) { body in
            job = body
            self.iterations = iterations
            nextIndex.store(0, ordering: .sequentiallyConsistent)
            finished.store(0, ordering: .sequentiallyConsistent)
            generation.add(1, ordering: .sequentiallyConsistent)  // Open: odd.
            for semaphore in semaphores { semaphore.signal() }
            work()
            waitUntil { finished.load(ordering: .sequentiallyConsistent) >= iterations }
            generation.add(1, ordering: .sequentiallyConsistent)  // Closed: even.
            waitUntil { active.load(ordering: .sequentiallyConsistent) == 0 }
            job = nil
        }
        busy.store(false, ordering: .releasing)
    }

    /// Spins until `done()`, yielding the core after a while: on a loaded machine the thread
    /// being waited for may need it.
    @inline(__always)
    private func waitUntil(_ done: () -> Bool) {
        var spins = 0
        while !done() {
            spins += 1
            if spins > 4096 { sched_yield() }
        }
    }

    /// Claims and runs indices of the current job until none is left.
    private func work() {
        guard let job else { return }
        while true {
            let index = nextIndex.add(1, ordering: .sequentiallyConsistent).oldValue
            if index >= iterations { return }
            job(index)
            finished.add(1, ordering: .sequentiallyConsistent)
        }
    }

    /// Starts workers until there are `count`; returns their wake-up semaphores.
    private func ensureWorkers(_ count: Int) -> [DispatchSemaphore] {
        workers.withLock { workers in
            while workers.count < count {
                let semaphore = DispatchSemaphore(value: 0)
                workers.append(semaphore)
                let thread = Thread { [self] in workerLoop(semaphore) }
                thread.name = "manifold-compute-\(workers.count)"
                thread.start()
            }
            return Array(workers.prefix(count))
        }
    }

    private func workerLoop(_ semaphore: DispatchSemaphore) {
        var seen = generation.load(ordering: .sequentiallyConsistent)
        while true {
            let spinStart = DispatchTime.now().uptimeNanoseconds
            var current = generation.load(ordering: .sequentiallyConsistent)
            while current == seen || current & 1 == 0 {
                if DispatchTime.now().uptimeNanoseconds - spinStart > Self.spinNanoseconds {
                    semaphore.wait()
                }
                current = generation.load(ordering: .sequentiallyConsistent)
            }
            seen = current
            // Join only if the job is still open once registered; the submitter drains `active`.
            active.add(1, ordering: .sequentiallyConsistent)
            if generation.load(ordering: .sequentiallyConsistent) == current { work() }
            active.subtract(1, ordering: .sequentiallyConsistent)
        }
    }
}
