import Foundation

/// Whether operations record the autograd graph on the current thread.
///
/// Thread-local, so an evaluation in `noGrad {}` on one Dispatch queue never switches off recording for
/// a training step running on another.
public enum GradMode {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "pthread_key_create failed")
        return key
    }()

    private static var disabledDepth: Int {
        get { Int(bitPattern: pthread_getspecific(key)) }
        set { pthread_setspecific(key, UnsafeRawPointer(bitPattern: newValue)) }
    }

    /// True unless the current thread is inside a `noGrad` scope.
    public static var isEnabled: Bool { disabledDepth == 0 }

    /// Runs `body` without recording gradients on this thread (scopes nest).
    public static func withoutGradients<T>(_ body: () throws -> T) rethrows -> T {
        disabledDepth += 1
        defer { disabledDepth -= 1 }
        return try body()
    }

    /// Runs `body` recording gradients on this thread even inside a `noGrad` scope: for an inner
    /// optimisation that needs its own gradients while the caller evaluates without them (a purifier's
    /// latent search run from a prediction).
    public static func withGradients<T>(_ body: () throws -> T) rethrows -> T {
        let saved = disabledDepth
        disabledDepth = 0
        defer { disabledDepth = saved }
        return try body()
    }
}

/// Runs `body` without recording the autograd graph: for evaluation, sampling and optimizer updates.
public func noGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.withoutGradients(body)
}
