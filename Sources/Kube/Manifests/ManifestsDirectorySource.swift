import Values
import Logging
import NIOPosix

/// An ``ObjectSource`` reading Services and EndpointSlices from a directory of YAML or JSON manifests and
/// watching it with inotify: a file created, written and closed, renamed in or out, or deleted yields its changes
/// as soon as the kernel queues the event, after a short coalescing delay; only that file is read again, and only
/// its objects are compared. Between events the source sleeps on the inotify descriptor (``ReadableWait``): no
/// timer wakes it. A full scan (which `stat`s every file and reads those whose signature changed) runs at start,
/// as a safety net every ``rescanInterval`` or at the pace of ``rescanShare`` (for example for files behind
/// symlinks that point out of the directory), and when the kernel reports lost events or a ConfigMap-style
/// `..data` swap.
///
/// When inotify is unavailable (or the directory is deleted or moved away), the source says so in a log line
/// and polls: a full scan every ``pollInterval``, trying to watch again each time.
///
/// The first scan delivers its files' objects in runs, in path order, as soon as a run is parsed, while the pool
/// parses the rest (only additions: nothing was delivered before). Its objects are followed by
/// ``SourceEvent/synced``; until then a file read while it was being written, or modified less than
/// ``ManifestsDirectoryScanner/settleTime`` before the scan, is not delivered at all, only once a later scan reads it
/// settled. Errors are logged (error level for rejected objects and unparseable files, warning for dropped endpoints
/// and duplicates, debug for ignored kinds), each naming the file and, for objects, the field. See
/// ``ManifestDirectoryState`` for the policy.
///
/// Listing, `stat`, reading and parsing run on `threadPool` (NIO's thread pool), never on Swift's cooperative
/// pool; the source's own loop only waits for them and for its timers.
public struct ManifestsDirectorySource: ObjectSource {
    /// The directory.
    public let directory: String
    /// How often to scan when polling (inotify unavailable).
    public let pollInterval: Duration
    /// How often, at most, to scan the whole directory while watching (the safety rescan).
    public let rescanInterval: Duration
    /// The share of one CPU the safety rescans may take (0.2% by default: inotify reports everything inside the
    /// directory and its own overflows, so the rescan only catches what lies outside it, such as the target of a
    /// symlink): a rescan that cost `c` of CPU is followed by the next no sooner than `c / share` after it began
    /// (and no sooner than ``rescanInterval``).
    public let rescanShare: CPUShare
    /// Whether to use inotify (false: always poll).
    public let useInotify: Bool
    /// Whether a start that cannot read the directory whole waits and scans again (true), or throws (false, for
    /// `--once`). Either way nothing is synced from a partial reading.
    public let waitsForWholeStart: Bool
    /// Where files are listed, read and parsed.
    public let threadPool: NIOThreadPool
    /// Where the decoded objects are kept across restarts (``ManifestCache``), nil for none: read at start, so that
    /// the files it holds are read but not parsed, and written after the first whole scan and, when files changed
    /// since, as the source stops.
    public let cacheFile: String?
    /// What binds the cache to this program (``ManifestCache/producer(program:executable:)``).
    public let cacheProducer: String
    let logger: Logger

    /// How long to wait after a first event for the rest of a burst (a rename is two events; a writer may
    /// replace several files together), so that they are applied in one go.
    static let coalesceDelay: Duration = .milliseconds(20)

    /// Creates a source; nothing happens until ``run(delivering:)``.
    public init(
        directory: String, pollInterval: Duration = .milliseconds(200), rescanInterval: Duration = .seconds(45),
        rescanShare: CPUShare = CPUShare(0.002), useInotify: Bool = true, waitsForWholeStart: Bool = true,
        threadPool: NIOThreadPool = .singleton, cacheFile: String? = nil, cacheProducer: String = "",
        logger: Logger
    ) {
        self.cacheFile = cacheFile
        self.cacheProducer = cacheProducer
        self.waitsForWholeStart = waitsForWholeStart
        self.threadPool = threadPool
        self.directory = directory
        self.pollInterval = pollInterval
        self.rescanInterval = rescanInterval
        self.rescanShare = rescanShare
        self.useInotify = useInotify
        self.logger = logger
    }

    /// Scans until the directory is read whole, says ``SourceEvent/synced``, then watches, until the calling task
    /// is cancelled. Throws (``SourceErrorCode/threadPool``) if the thread pool stops under it, and
    /// (``SourceErrorCode/incomplete``) when a start that does not wait cannot read the directory whole.
    public func run(delivering deliver: @escaping @Sendable (SourceEvent) -> Void) async throws {
        let scanner = PooledScanner(ManifestsDirectoryScanner(directory: directory), threadPool)
        var watch = startWatch(logFailure: true)
        let clock = ContinuousClock()
        let first = clock.now
        // The files the cache held: it is written again only when those that loaded clean differ.
        var cached: Set<ContentDigest>?
        do {
            let cache = try await loadCache()
            cached = cache?.digests
            try await scanWhole(scanner, since: first, cache: cache, deliver)
        } catch {
            try Self.stopped(by: error)
            return
        }
        deliver(.synced)
        var cacheOutdated = false
        if cacheFile != nil && cached == scanner.cacheableDigests {
            logger.info("manifests cache unchanged: not written", metadata: ["file": "\(cacheFile ?? "")"])
        } else {
            cacheOutdated = (try? await saveCache(scanner)) == nil
        }
        // The first scan parsed every file: its cost says nothing of a rescan's.
        _ = scanner.takeCPU()
        var nextRescan = rescanDue(after: first, cpu: .zero)
        while !Task.isCancelled {
            do {
                if let current = watch {
                    // Asleep until the kernel queues an event or the safety rescan is due: no timer in between.
                    var batch = try await current.next(until: nextRescan)
                    let start = clock.now
                    if !batch.isEmpty {
                        try await Task.sleep(for: Self.coalesceDelay)
                        let more = current.drain()
                        batch.names.formUnion(more.names)
                        batch.needsScan = batch.needsScan || more.needsScan
                        batch.lost = batch.lost || more.lost
                    }
                    if batch.lost {
                        logger.warning(
                            "manifests directory deleted or moved: polling it",
                            metadata: ["directory": "\(directory)", "pollInterval": "\(pollInterval)"])
                        watch = nil
                    }
                    if batch.needsScan || batch.lost || start >= nextRescan {
                        let result = try await scanner.scan()
                        emit(result, kind: "scan", scanner, since: start, deliver)
                        nextRescan = rescanDue(after: start, cpu: scanner.takeCPU())
                        cacheOutdated = cacheOutdated || !result.changes.isEmpty
                    } else if !batch.names.isEmpty {
                        let result = try await scanner.update(names: batch.names)
                        emit(result, kind: "update", scanner, since: start, deliver)
                        cacheOutdated = cacheOutdated || !result.changes.isEmpty
                    }
                } else {
                    let start = clock.now
                    var result = try await scanner.scan()
                    // Watching again after the scan, and scanning once more, leaves no moment unseen between the
                    // two; and what the directory held when it came back is delivered after the log line says so.
                    if useInotify, let current = startWatch(logFailure: false) {
                        logger.info("manifests directory watched again", metadata: ["directory": "\(directory)"])
                        watch = current
                        let more = try await scanner.scan()
                        result = (result.changes + more.changes, result.diagnostics + more.diagnostics)
                    }
                    emit(result, kind: "scan", scanner, since: start, deliver)
                    cacheOutdated = cacheOutdated || !result.changes.isEmpty
                    nextRescan = rescanDue(after: start, cpu: scanner.takeCPU())
                    if watch == nil { try await Task.sleep(for: pollInterval) }
                }
            } catch {
                try Self.stopped(by: error)
                break
            }
        }
        // Written again as the source stops (a restart) when files changed since, not per edit, so that no edit waits
        // behind the writing; after a stop that does not get here (a kill), the files edited since are parsed.
        // In a task of its own: this one is cancelled, and the thread pool would refuse its work.
        if cacheOutdated { _ = await Task { try? await saveCache(scanner) }.value }
    }

    /// When the safety rescan after one that began at `start` and cost `cpu` is due: ``rescanInterval`` later, or
    /// later still when the scan cost more than ``rescanShare`` of a CPU over that interval (a large directory on a
    /// slow CPU: at 10,000 files the `stat` pass alone is about 0.1 s of CPU on a fast one).
    func rescanDue(after start: ContinuousClock.Instant, cpu: Duration) -> ContinuousClock.Instant {
        start + max(rescanInterval, rescanShare.cycle(after: cpu))
    }

    /// The first scan, repeated every ``pollInterval`` until the directory is read whole (listed, and every file
    /// read and parsed): only then may the proxy treat what it holds as the whole truth and delete what is not in
    /// it, so a missing directory or a broken file at start leaves the kernel as it is. Each new reason to wait is
    /// logged once. With ``waitsForWholeStart`` false (`--once`) the first incomplete scan throws
    /// (``SourceErrorCode/incomplete``) instead.
    private func scanWhole(
        _ scanner: PooledScanner, since start: ContinuousClock.Instant, cache: ManifestCache?,
        _ deliver: @escaping @Sendable (SourceEvent) -> Void
    ) async throws {
        // The first reading is delivered as it goes, so the proxy takes in (and, on a new node, programs) the first
        // files while the pool reads the rest; nothing is deleted before the directory is read whole.
        var delivered = 0
        let rest = try await scanner.scan(defersUnsettled: true, cache: cache) { piece in
            delivered += piece.changes.count
            emit(piece, deliver)
        }
        emit(rest, kind: "scan", scanner, since: start, always: true, delivered: delivered, deliver)
        var reported: [ManifestError] = []
        while true {
            let missing = scanner.incomplete
            if missing.isEmpty {
                // A file being written as it was read (an editor, `kubectl ... > file`) may have been read empty or
                // cut short, which parses as fewer objects, not as an error: the start is whole only once every file
                // was read settled, or the proxy would delete what the rest of the file holds.
                guard scanner.settling else { break }
                try await Task.sleep(for: ManifestsDirectoryScanner.settleTime)
                let rescan = try await scanner.scan(defersUnsettled: true, cache: cache)
                emit(rescan, kind: "scan", scanner, since: ContinuousClock.now, deliver)
                continue
            }
            let reasons = missing.map(\.description).joined(separator: "; ")
            guard waitsForWholeStart else {
                throw SourceError(
                    .incomplete,
                    "the manifests directory \(directory) could not be read whole, so nothing was synced and the "
                        + "kernel is left as it is: \(reasons)")
            }
            if missing != reported {
                logger.error(
                    """
                    not syncing yet: the manifests directory could not be read whole; the kernel is left as it is \
                    until it can
                    """,
                    metadata: ["directory": "\(directory)", "reasons": "\(reasons)"])
                reported = missing
            }
            try await Task.sleep(for: pollInterval)
            emit(try await scanner.scan(defersUnsettled: true), kind: "scan", scanner, since: .now, deliver)
        }
        if !reported.isEmpty {
            logger.notice("manifests directory read whole: syncing", metadata: ["directory": "\(directory)"])
        }
    }

    /// The cache of decoded objects, read on the pool; nil when there is none or it cannot be used (said in a log
    /// line: the files are then parsed, and the cache written anew after the scan).
    private func loadCache() async throws -> ManifestCache? {
        guard let cacheFile else { return nil }
        let producer = cacheProducer
        let start = ContinuousClock.now
        let (cache, unusable) = try await threadPool.runIfActive {
            ManifestCache.load(from: cacheFile, producer: producer)
        }
        if let unusable {
            logger.info(
                "manifests cache not used: every file is parsed",
                metadata: ["file": "\(cacheFile)", "reason": "\(unusable)"])
        } else if let cache {
            logger.info(
                "manifests cache read",
                metadata: [
                    "file": "\(cacheFile)", "files": "\(cache.count)", "seconds": "\(ContinuousClock.now - start)",
                ])
        }
        return cache
    }

    /// Writes the cache of the files that loaded clean, on the pool; logs and returns nil when it cannot (the proxy
    /// runs on: the next start parses every file).
    @discardableResult
    private func saveCache(_ scanner: PooledScanner) async throws -> Int? {
        guard let cacheFile else { return 0 }
        let producer = cacheProducer
        let start = ContinuousClock.now
        let (written, files) = try await threadPool.runIfActive {
            let files = scanner.cacheable
            let written = Result { () throws(CacheError) in
                try ManifestCache.save(files, producer: producer, to: cacheFile)
            }
            return (written, files.count)
        }
        switch written {
        case .success(let bytes):
            logger.info(
                "manifests cache written",
                metadata: [
                    "file": "\(cacheFile)", "files": "\(files)", "bytes": "\(bytes)",
                    "filesReadFromCache": "\(scanner.filesFromCache)", "seconds": "\(ContinuousClock.now - start)",
                ])
            return bytes
        case .failure(let error):
            logger.warning(
                "manifests cache not written: the next start parses every file", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Returns when `error` is the task's cancellation (the source stops, as asked); throws a `SourceError` as it is,
    /// anything else as `.threadPool`.
    private static func stopped(by error: any Error) throws(SourceError) {
        if error is CancellationError || Task.isCancelled { return }
        if let error = error as? SourceError { throw error }  // it already says why (an incomplete start)
        throw SourceError(.threadPool, "the manifests directory cannot be read any more", cause: error)
    }

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
        /// With `pieces`, the files are loaded in path order as soon as they and those before them are read, and
        /// what each run of them changes goes to `pieces` at once, while the rest is still read; the result holds
        /// only what is left (the forgetting of vanished files). For the first scan, where the state is empty and
        /// every change an addition: an object moved between files would otherwise be deleted in one piece and
        /// added in another.
        /// `cache`: the objects of files read at a start, by their bytes (read, not parsed).
        func scan(
            defersUnsettled: Bool = false, cache: ManifestCache? = nil, pieces: ((Result) -> Void)? = nil
        ) async throws -> Result {
            try await run(defersUnsettled: defersUnsettled, cache: cache, pieces: pieces) { scanner in
                self.measured { scanner.prepareScan() }
            }
        }

        /// How many files the scanner loaded from the cache.
        var filesFromCache: Int { scanner.withLock { $0.filesFromCache } }

        /// The digests of the files that loaded clean.
        var cacheableDigests: Set<ContentDigest> { scanner.withLock { $0.state.cacheableDigests } }

        /// The files that loaded clean, as the cache keeps them.
        var cacheable: [(digest: ContentDigest, objects: [KubeObject])] { scanner.withLock { $0.state.cacheable } }

        func update(names: Set<String>) async throws -> Result {
            try await run(defersUnsettled: false) { $0.prepareUpdate(names: names) }
        }

        /// What the first step on the pool led to: done, or files to read in parallel.
        private enum Step: Sendable {
            case done(Result)
            case read(ManifestsDirectoryScanner.Batch)
        }

        /// Prepares a batch; one file (an edit, the usual case) is read and loaded in the same job on the pool,
        /// several are read in parallel and then loaded in a last job.
        private func run(
            defersUnsettled: Bool, cache: ManifestCache? = nil, pieces: ((Result) -> Void)? = nil,
            _ prepare: @escaping @Sendable (inout ManifestsDirectoryScanner) -> ManifestsDirectoryScanner.Batch
        ) async throws -> Result {
            let step = try await threadPool.runIfActive {
                self.scanner.withLock { scanner -> Step in
                    let batch = prepare(&scanner)
                    guard batch.files.count > 1 else {
                        let contents = batch.files.map { ManifestsDirectoryScanner.read($0, cache: cache) }
                        return .done(scanner.finish(batch, reading: contents, defersUnsettled: defersUnsettled))
                    }
                    return .read(batch)
                }
            }
            switch step {
            case .done(let result):
                return result
            case .read(let batch):
                let read = { @Sendable (file: ManifestsDirectoryScanner.Batch.File) in
                    ManifestsDirectoryScanner.read(file, cache: cache)
                }
                guard let pieces else {
                    let contents = try await ParallelMap.map(batch.files, on: threadPool, read)
                    return try await threadPool.runIfActive {
                        self.scanner.withLock { $0.finish(batch, reading: contents, defersUnsettled: defersUnsettled) }
                    }
                }
                // Loaded on this task, not queued on the pool behind the files still to read: a piece is delivered
                // while the pool reads on. Loading is pure work on memory, a small share of the reading.
                try await ParallelMap.forEachRun(batch.files, on: threadPool, read) {
                    range, contents in
                    let loaded = self.scanner.withLock {
                        $0.finish(batch.piece(range), reading: contents, defersUnsettled: defersUnsettled)
                    }
                    pieces(loaded)
                }
                return scanner.withLock {
                    $0.finish(batch.piece(0..<0, last: true), reading: [], defersUnsettled: defersUnsettled)
                }
            }
        }
    }

    private func startWatch(logFailure: Bool) -> DirectoryWatch? {
        guard useInotify else {
            if logFailure {
                logger.info("manifests directory polled", metadata: ["pollInterval": "\(pollInterval)"])
            }
            return nil
        }
        do {
            return try DirectoryWatch(directory: directory)
        } catch {
            if logFailure {
                logger.warning(
                    "inotify unavailable: polling the manifests directory",
                    metadata: ["error": "\(error)", "directory": "\(directory)", "pollInterval": "\(pollInterval)"])
            }
            return nil
        }
    }

    /// Says what a scan or an update found (`delivered`: the changes it delivered in pieces before), then `emit`s.
    private func emit(
        _ result: PooledScanner.Result, kind: String, _ scanner: PooledScanner, since start: ContinuousClock.Instant,
        always: Bool = false, delivered: Int = 0, _ deliver: @Sendable (SourceEvent) -> Void
    ) {
        if always || !result.changes.isEmpty {
            logger.info(
                "manifests \(kind == "scan" ? "scanned" : "updated")",
                metadata: [
                    "files": "\(scanner.fileCount)", "changes": "\(delivered + result.changes.count)",
                    "seconds": "\(ContinuousClock.now - start)",
                ])
        }
        emit(result, deliver)
    }

    /// Logs the diagnostics and delivers the changes.
    private func emit(_ result: PooledScanner.Result, _ deliver: @Sendable (SourceEvent) -> Void) {
        for diagnostic in result.diagnostics { log(diagnostic) }
        for change in result.changes {
            logger.debug("manifest change", metadata: ["change": "\(change)"])
            deliver(.change(change))
        }
    }

    func log(_ diagnostic: ManifestDiagnostic) {
        switch diagnostic {
        case .fileFailed, .rejected: logger.error("\(diagnostic)")
        case .dropped, .duplicate: logger.warning("\(diagnostic)")
        case .ignoredKind: logger.debug("\(diagnostic)")
        }
    }
}
