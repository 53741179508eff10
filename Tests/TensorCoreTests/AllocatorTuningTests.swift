import Testing

@testable import TensorCore

/// The allocator settings the executable applies at start are found and accepted (glibc).
@Suite struct AllocatorTuningTests {
    @Test func glibcAcceptsTheSettings() {
        #if canImport(Glibc)
            #expect(AllocatorTuning.keepLargeBlocks())
        #endif
    }
}
