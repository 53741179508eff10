/// Spreads the images of a batch over the compute threads for kernels that run one small GEMM
/// per image (the convolutions).
///
/// Each piece of the batch runs its images' GEMMs on one thread, so that an image's im2col
/// matrix stays in cache between its unfolding, its multiply and its folding; pieces are claimed
/// dynamically, so a core that is busy elsewhere takes fewer. With fewer images than threads, or
/// too little work to share, the images run in order on the calling thread and every GEMM uses
/// all threads instead.
struct ImageBatchSplit: Sendable {
    let batch: Int
    /// Parts of the batch, claimed one at a time by the threads.
    let pieces: Int
    /// Threads each GEMM inside a piece may use.
    let gemmThreads: Int
    private let threads: Int

    /// The most pieces a batch is cut into, whatever the thread count.
    static let maximumPieces = 8

    /// The pieces depend on the batch and the work alone, never on `threads`: the weight gradient is
    /// summed piece by piece, so a thread-dependent cut would make training give other bits at
    /// another `--threads` (a one-thread run sums the same pieces, one after the other).
    init(batch: Int, flopsPerImage: Double, threads: Int = ComputeThreads.count) {
        self.batch = batch
        self.threads = threads
        if batch > 1 && flopsPerImage * Double(batch) >= GEMMBlocking().serialFlops {
            pieces = min(batch, Self.maximumPieces)
            gemmThreads = 1
        } else {
            pieces = batch > 0 ? 1 : 0
            gemmThreads = threads
        }
    }

    /// Runs `body(piece, images)` for every piece, in parallel when the batch was split.
    func run(_ body: @Sendable (_ piece: Int, _ images: Range<Int>) -> Void) {
        let batch = self.batch
        let pieces = self.pieces
        ComputePool.shared.run(iterations: pieces, threads: gemmThreads == 1 ? threads : 1) { piece in
            body(piece, GEMM.split(units: batch, parts: pieces, index: piece))
        }
    }
}
