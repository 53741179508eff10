import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Hands memory that dropped jobs freed back to the system.
///
/// glibc's allocator keeps freed memory in its arenas (one per thread that allocated, and the runners'
/// and kernels' threads are many) for reuse, and returns little of it on its own: after the Attack lab had
/// dropped 26 paused attacks (`n` pressed 30 times) the workbench held about 1.05 GB, of which a
/// `malloc_trim(0)` returned 680 MB. So a second after a job is dropped (time for its runner's queue to end
/// and free the job's model, data and images) the free pages of every arena go back, off the UI thread (a
/// trim took 1 to 110 ms).
struct FreedMemory {
    /// When a job was last dropped and the memory has not been returned since.
    private(set) var droppedAt: Date?

    /// Seconds after a drop before the memory is returned.
    static let delay: TimeInterval = 1

    /// glibc's `malloc_trim` (not in the Glibc module's headers), looked up once; nil with another C library.
    private static let trim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
            return nil
        #endif
    }()

    /// Notes that a job was dropped.
    mutating func jobDropped(at time: Date = Date()) {
        droppedAt = time
    }

    /// Whether the memory should be returned now: a drop is at least `delay` seconds old.
    func isDue(at time: Date = Date()) -> Bool {
        droppedAt.map { time.timeIntervalSince($0) >= Self.delay } ?? false
    }

    /// Returns the free memory to the system, on a background queue, if it is due; true when it did.
    @discardableResult
    mutating func returnIfDue(at time: Date = Date()) -> Bool {
        guard isDue(at: time) else { return false }
        droppedAt = nil
        if let trim = Self.trim {
            DispatchQueue.global(qos: .utility).async { _ = trim(0) }
        }
        return true
    }
}
