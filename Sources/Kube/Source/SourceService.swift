import ServiceLifecycle

/// An ``ObjectSource`` as a ServiceLifecycle service, for the one `ServiceGroup`: ``run()`` runs the source
/// until the task is cancelled or a graceful shutdown begins, then ends ``events``; one consumer (the proxy)
/// reads ``events``. Put it in the group before its consumer: a graceful shutdown stops services in reverse order,
/// so the consumer stops first and never sees the stream end under it.
///
/// A source that fails throws its error out of ``run()``; one that returns while nothing asked it to stop
/// throws ``SourceErrorCode/ended``. Either way the group stops with that error.
public struct SourceService: ServiceLifecycle.Service, CustomStringConvertible {
    /// The source's events, in order; finished when ``run()`` returns.
    public let events: AsyncStream<SourceEvent>
    private let continuation: AsyncStream<SourceEvent>.Continuation
    private let source: any ObjectSource

    /// A service running `source`.
    public init(_ source: any ObjectSource) {
        self.source = source
        (events, continuation) = AsyncStream.makeStream(of: SourceEvent.self)
    }

    /// Runs the source; returns on cancellation or graceful shutdown, throws when the source fails or ends.
    public func run() async throws {
        let continuation = self.continuation
        defer { continuation.finish() }
        let source = self.source
        do {
            try await cancelWhenGracefulShutdown {
                try await source.run { continuation.yield($0) }
            }
        } catch is CancellationError where Task.isCancelled || Task.isShuttingDownGracefully {
            return  // stopped as asked, from inside a wait
        }
        guard Task.isCancelled || Task.isShuttingDownGracefully else {
            throw SourceError(.ended, "the object source stopped delivering events")
        }
    }

    /// `object source (ManifestsDirectorySource)`, as the group's logs name it.
    public var description: String { "object source (\(type(of: source)))" }
}
