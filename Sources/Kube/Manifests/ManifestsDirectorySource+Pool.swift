import NIOPosix
import Values

extension ManifestsDirectorySource {
    /// The scanner, held in one place and driven on the thread pool (in place: its state is never copied). Its
    /// state is touched under the lock before and after the reading; the files are read and parsed in between,
    /// spread over the pool's threads (``ParallelMap``) when there are several.
    final class PooledScanner: Sendable {
        private let scanner: Locked<ManifestsDirectoryScanner>
        private let threadPool: NIOThreadPool
        /// The CPU the scans' listing and `stat` passes took since the last ``takeCPU()`` (what a rescan of an
        /// unchanged directory costs; the files read because they changed are not counted: that is work on changes).
        private let spent = Locked(Duration.zero)

        init(_ scanner: ManifestsDirectoryScanner, _ threadPool: NIOThreadPool) {
            self.scanner = Locked(scanner)
            self.threadPool = threadPool
        }

        var fileCount: Int { scanner.withLock { $0.state.fileCount } }

        /// The CPU the scans' listing and `stat` passes took since the last call.
        func takeCPU() -> Duration {
            spent.withLock { spent in
                defer { spent = .zero }
                return spent
            }
        }

        /// Runs `body` (on a pool thread), adding the CPU it took to ``takeCPU()``'s sum.
        private func measured<T>(_ body: () throws -> T) rethrows -> T {
            let start = ThreadCPUTime.now()
            defer {
                let cpu = ThreadCPUTime.now() - start
                spent.withLock { $0 += cpu }
            }
            return try body()
        }

        /// What keeps the directory from being read whole (see ``ManifestsDirectoryScanner/incomplete``).
        var incomplete: [ManifestError] { scanner.withLock { $0.incomplete } }
        /// Whether a file was read too soon after it was written (see ``ManifestsDirectoryScanner/settling``).
        var settling: Bool { scanner.withLock { $0.settling } }

        typealias Result = (changes: [ObjectChange], diagnostics: [ManifestDiagnostic])

        /// A scan; `defersUnsettled` at start (``ManifestsDirectoryScanner/finish(_:reading:defersUnsettled:)``).
        func scan(defersUnsettled: Bool = false) async throws -> Result {
            try await run(defersUnsettled: defersUnsettled) { scanner in self.measured { scanner.prepareScan() } }
        }

        func update(names: Set<String>) async throws -> Result {
            try await run(defersUnsettled: false) { $0.prepareUpdate(names: names) }
        }

        /// The start's scan, a piece of `size` files at a time: each piece's changes go to `piece` as soon as it is
        /// read and loaded, so that the proxy can program them while the rest is read (the next piece is read while
        /// one is loaded). Files read unsettled are deferred. Pieces are taken in path order, so an object defined in
        /// two files comes first from the one that wins, as in a scan read whole; only the last piece forgets what
        /// vanished. Returns the changes delivered in all.
        func scanInPieces(of size: Int, _ piece: (Result) -> Void) async throws -> Int {
            let batch = try await threadPool.runIfActive {
                self.scanner.withLock { scanner in self.measured { scanner.prepareScan() } }
            }
            let pieces = batch.pieces(of: size)
            var delivered = 0
            var contents = try await read(pieces[0])
            for index in pieces.indices {
                async let following = index + 1 < pieces.count ? read(pieces[index + 1]) : []
                let loaded = contents
                let result = try await threadPool.runIfActive {
                    self.scanner.withLock { $0.finish(pieces[index], reading: loaded, defersUnsettled: true) }
                }
                delivered += result.changes.count
                piece(result)
                contents = try await following
            }
            return delivered
        }

        /// The files of `batch`, read and parsed in parallel on the pool.
        private func read(_ batch: ManifestsDirectoryScanner.Batch) async throws
            -> [Swift.Result<ManifestFile, ManifestError>?]
        {
            try await ParallelMap.map(batch.files, on: threadPool, ManifestsDirectoryScanner.read)
        }

        /// What the first step on the pool led to: done, or files to read in parallel.
        private enum Step: Sendable {
            case done(Result)
            case read(ManifestsDirectoryScanner.Batch)
        }

        /// Prepares a batch; one file (an edit, the usual case) is read and loaded in the same job on the pool,
        /// several are read in parallel and then loaded in a last job.
        private func run(
            defersUnsettled: Bool,
            _ prepare: @escaping @Sendable (inout ManifestsDirectoryScanner) -> ManifestsDirectoryScanner.Batch
        ) async throws -> Result {
            let step = try await threadPool.runIfActive {
                self.scanner.withLock { scanner -> Step in
                    let batch = prepare(&scanner)
                    guard batch.files.count > 1 else {
                        let contents = batch.files.map(ManifestsDirectoryScanner.read)
                        return .done(scanner.finish(batch, reading: contents, defersUnsettled: defersUnsettled))
                    }
                    return .read(batch)
                }
            }
            switch step {
            case .done(let result):
                return result
            case .read(let batch):
                let contents = try await read(batch)
                return try await threadPool.runIfActive {
                    self.scanner.withLock { $0.finish(batch, reading: contents, defersUnsettled: defersUnsettled) }
                }
            }
        }
    }
}
