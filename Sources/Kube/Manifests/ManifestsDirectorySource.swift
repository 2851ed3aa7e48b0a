import Logging

/// An ``ObjectSource`` reading Services and EndpointSlices from a directory of YAML or JSON manifests and
/// watching it with inotify: a file created, written and closed, renamed in or out, or deleted yields its changes
/// within about ``watchInterval`` plus a short coalescing delay; only that file is read again, and only its
/// objects are compared. A full scan (which `stat`s every file and reads those whose signature changed) runs at
/// start, every ``rescanInterval`` as a safety net (for example for files behind symlinks that point out of the
/// directory), and when the kernel reports lost events or a ConfigMap-style `..data` swap.
///
/// When inotify is unavailable (or the directory is deleted or moved away), the source says so in a log line
/// and polls: a full scan every ``pollInterval``, trying to watch again each time.
///
/// The first scan's objects are followed by ``SourceEvent/synced``. Errors are logged (error level for
/// rejected objects and unparseable files, warning for dropped endpoints and duplicates, debug for ignored
/// kinds), each naming the file and, for objects, the field. See ``ManifestDirectoryState`` for the policy.
public struct ManifestsDirectorySource: ObjectSource {
    /// The directory.
    public let directory: String
    /// How often to scan when polling (inotify unavailable).
    public let pollInterval: Duration
    /// How often to read the inotify queue (one non-blocking `read(2)`; no file is touched when it is empty).
    public let watchInterval: Duration
    /// How often to scan the whole directory while watching.
    public let rescanInterval: Duration
    /// Whether to use inotify (false: always poll).
    public let useInotify: Bool
    let logger: Logger

    /// How long to wait after a first event for the rest of a burst (a rename is two events; a writer may
    /// replace several files together), so that they are applied in one go.
    static let coalesceDelay: Duration = .milliseconds(20)

    /// Creates a source; nothing happens until ``events()``.
    public init(
        directory: String, pollInterval: Duration = .milliseconds(200), watchInterval: Duration = .milliseconds(100),
        rescanInterval: Duration = .seconds(45), useInotify: Bool = true, logger: Logger
    ) {
        self.directory = directory
        self.pollInterval = pollInterval
        self.watchInterval = watchInterval
        self.rescanInterval = rescanInterval
        self.useInotify = useInotify
        self.logger = logger
    }

    /// Starts watching; cancel the consumer (or drop the stream) to stop.
    public func events() -> AsyncStream<SourceEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: SourceEvent.self)
        let task = Task { [self] in
            await run(continuation)
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func run(_ continuation: AsyncStream<SourceEvent>.Continuation) async {
        var scanner = ManifestsDirectoryScanner(directory: directory)
        var watch = startWatch(logFailure: true)
        let clock = ContinuousClock()
        emit(scanner.scan(), kind: "scan", scanner: scanner, since: clock.now, always: true, continuation)
        continuation.yield(.synced)
        var lastScan = clock.now
        while !Task.isCancelled {
            let start = clock.now
            if let current = watch {
                var batch = current.drain()
                if !batch.isEmpty {
                    do { try await Task.sleep(for: Self.coalesceDelay) } catch { break }
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
                if batch.needsScan || batch.lost || clock.now - lastScan >= rescanInterval {
                    emit(scanner.scan(), kind: "scan", scanner: scanner, since: start, continuation)
                    lastScan = clock.now
                } else if !batch.names.isEmpty {
                    let result = scanner.update(names: batch.names)
                    emit(result, kind: "update", scanner: scanner, since: start, continuation)
                }
            } else {
                if useInotify, let current = startWatch(logFailure: false) {
                    logger.info("manifests directory watched again", metadata: ["directory": "\(directory)"])
                    watch = current
                }
                emit(scanner.scan(), kind: "scan", scanner: scanner, since: start, continuation)
                lastScan = clock.now
            }
            do { try await Task.sleep(for: watch == nil ? pollInterval : watchInterval) } catch { break }
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

    private func emit(
        _ result: (changes: [ObjectChange], diagnostics: [ManifestDiagnostic]), kind: String,
        scanner: ManifestsDirectoryScanner, since start: ContinuousClock.Instant, always: Bool = false,
        _ continuation: AsyncStream<SourceEvent>.Continuation
    ) {
        if always || !result.changes.isEmpty {
            logger.info(
                "manifests \(kind == "scan" ? "scanned" : "updated")",
                metadata: [
                    "files": "\(scanner.state.fileCount)", "changes": "\(result.changes.count)",
                    "seconds": "\(ContinuousClock.now - start)",
                ])
        }
        for diagnostic in result.diagnostics { log(diagnostic) }
        for change in result.changes {
            logger.debug("manifest change", metadata: ["change": "\(change)"])
            continuation.yield(.change(change))
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
