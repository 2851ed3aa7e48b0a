import Logging

/// An ``ObjectSource`` reading Services and EndpointSlices from a directory of YAML or JSON manifests and
/// watching it by polling (portable, no inotify): a created, edited, renamed or deleted file yields its
/// changes at the next scan, one ``pollInterval`` later.
///
/// The first scan's objects are followed by ``SourceEvent/synced``. Errors are logged (error level for
/// rejected objects and unparseable files, warning for dropped endpoints and duplicates, debug for ignored
/// kinds), each naming the file and, for objects, the field. See ``ManifestDirectoryState`` for the policy.
public struct ManifestsDirectorySource: ObjectSource {
    /// The directory.
    public let directory: String
    /// How often to scan.
    public let pollInterval: Duration
    let logger: Logger

    /// Creates a source; nothing happens until ``events()``.
    public init(directory: String, pollInterval: Duration = .milliseconds(200), logger: Logger) {
        self.directory = directory
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Starts scanning; cancel the consumer (or drop the stream) to stop.
    public func events() -> AsyncStream<SourceEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: SourceEvent.self)
        let task = Task { [self] in
            var scanner = ManifestsDirectoryScanner(directory: directory)
            var synced = false
            while !Task.isCancelled {
                let clock = ContinuousClock()
                let start = clock.now
                let (changes, diagnostics) = scanner.scan()
                if !changes.isEmpty || !synced {
                    logger.info(
                        "manifests scanned",
                        metadata: [
                            "files": "\(scanner.state.paths.count)", "changes": "\(changes.count)",
                            "seconds": "\(clock.now - start)",
                        ])
                }
                for diagnostic in diagnostics { log(diagnostic) }
                for change in changes {
                    logger.debug("manifest change", metadata: ["change": "\(change)"])
                    continuation.yield(.change(change))
                }
                if !synced {
                    synced = true
                    continuation.yield(.synced)
                }
                do { try await Task.sleep(for: pollInterval) } catch { break }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    func log(_ diagnostic: ManifestDiagnostic) {
        switch diagnostic {
        case .fileFailed, .rejected: logger.error("\(diagnostic)")
        case .dropped, .duplicate: logger.warning("\(diagnostic)")
        case .ignoredKind: logger.debug("\(diagnostic)")
        }
    }
}
