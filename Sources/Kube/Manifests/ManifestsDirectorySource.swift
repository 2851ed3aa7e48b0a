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
/// The first scan delivers its objects a piece of files at a time, in path order, as they are read (so the proxy can
/// program them while the rest is read); a file read while it was being written, or modified less than
/// ``ManifestsDirectoryScanner/settleTime`` before the scan, is delivered only once a later scan reads it settled.
/// Its last object is followed by ``SourceEvent/synced``. Errors are logged (error level for
/// rejected objects and unparseable files, warning for dropped endpoints and duplicates, debug for ignored
/// kinds), each naming the file and, for objects, the field. See ``ManifestDirectoryState`` for the policy.
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
    let logger: Logger

    /// How long to wait after a first event for the rest of a burst (a rename is two events; a writer may
    /// replace several files together), so that they are applied in one go.
    static let coalesceDelay: Duration = .milliseconds(20)

    /// How many files the start reads before it delivers their objects (``PooledScanner/scanInPieces(of:_:)``):
    /// about as many objects as two of an API server's list pages.
    static let startPiece = 500

    /// Creates a source; nothing happens until ``run(delivering:)``.
    public init(
        directory: String, pollInterval: Duration = .milliseconds(200), rescanInterval: Duration = .seconds(45),
        rescanShare: CPUShare = CPUShare(0.002), useInotify: Bool = true, waitsForWholeStart: Bool = true,
        threadPool: NIOThreadPool = .singleton, logger: Logger
    ) {
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
        do {
            try await scanWhole(scanner, since: first, deliver)
        } catch {
            try Self.stopped(by: error)
            return
        }
        deliver(.synced)
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
                    } else if !batch.names.isEmpty {
                        let result = try await scanner.update(names: batch.names)
                        emit(result, kind: "update", scanner, since: start, deliver)
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
                    nextRescan = rescanDue(after: start, cpu: scanner.takeCPU())
                    if watch == nil { try await Task.sleep(for: pollInterval) }
                }
            } catch {
                try Self.stopped(by: error)
                return
            }
        }
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
        _ scanner: PooledScanner, since start: ContinuousClock.Instant,
        _ deliver: @escaping @Sendable (SourceEvent) -> Void
    ) async throws {
        let changes = try await scanner.scanInPieces(of: Self.startPiece) { deliverResult($0, deliver) }
        logScan(kind: "scan", scanner, changes: changes, since: start)
        var reported: [ManifestError] = []
        while true {
            let missing = scanner.incomplete
            if missing.isEmpty {
                // A file being written as it was read (an editor, `kubectl ... > file`) may have been read empty or
                // cut short, which parses as fewer objects, not as an error: the start is whole only once every file
                // was read settled, or the proxy would delete what the rest of the file holds.
                guard scanner.settling else { break }
                try await Task.sleep(for: ManifestsDirectoryScanner.settleTime)
                let rescan = try await scanner.scan(defersUnsettled: true)
                emit(rescan, kind: "scan", scanner, since: ContinuousClock.now, deliver)
                continue
            }
            let reasons = missing.map(\.description).joined(separator: "; ")
            guard waitsForWholeStart else {
                throw SourceError(
                    .incomplete,
                    "the manifests directory \(directory) could not be read whole, so the first sync did not run: "
                        + "nothing was updated or deleted in the kernel (a node that held nothing of the proxy's may "
                        + "have had what was read added): \(reasons)")
            }
            if missing != reported {
                logger.error(
                    """
                    not syncing yet: the manifests directory could not be read whole; nothing in the kernel is \
                    updated or deleted until it can
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

    /// Returns when `error` is the task's cancellation (the source stops, as asked); throws a `SourceError` as it is,
    /// anything else as `.threadPool`.
    private static func stopped(by error: any Error) throws(SourceError) {
        if error is CancellationError || Task.isCancelled { return }
        if let error = error as? SourceError { throw error }  // it already says why (an incomplete start)
        throw SourceError(.threadPool, "the manifests directory cannot be read any more", cause: error)
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

    private func emit(
        _ result: PooledScanner.Result, kind: String, _ scanner: PooledScanner, since start: ContinuousClock.Instant,
        _ deliver: @Sendable (SourceEvent) -> Void
    ) {
        if !result.changes.isEmpty { logScan(kind: kind, scanner, changes: result.changes.count, since: start) }
        deliverResult(result, deliver)
    }

    private func logScan(kind: String, _ scanner: PooledScanner, changes: Int, since start: ContinuousClock.Instant) {
        logger.info(
            "manifests \(kind == "scan" ? "scanned" : "updated")",
            metadata: [
                "files": "\(scanner.fileCount)", "changes": "\(changes)", "seconds": "\(ContinuousClock.now - start)",
            ])
    }

    /// Logs what `result` reports and delivers its changes.
    private func deliverResult(_ result: PooledScanner.Result, _ deliver: @Sendable (SourceEvent) -> Void) {
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
