import ServiceLifecycle

/// An ``ObjectSource`` as a ServiceLifecycle service, for the one `ServiceGroup`: ``run()`` runs the source
/// until the task is cancelled or a graceful shutdown begins, then ends ``events``; one consumer reads
/// ``events``.
public struct SourceService: ServiceLifecycle.Service {
    /// The source's events, in order; finished when ``run()`` returns.
    public let events: AsyncStream<SourceEvent>
    private let continuation: AsyncStream<SourceEvent>.Continuation
    private let source: any ObjectSource

    /// A service running `source`.
    public init(_ source: any ObjectSource) {
        self.source = source
        (events, continuation) = AsyncStream.makeStream(of: SourceEvent.self)
    }

    /// Runs the source; returns on cancellation or graceful shutdown.
    public func run() async throws {
        let continuation = self.continuation
        defer { continuation.finish() }
        try await cancelWhenGracefulShutdown {
            await source.run { continuation.yield($0) }
        }
    }
}
