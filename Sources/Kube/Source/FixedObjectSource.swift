/// An ``ObjectSource`` that delivers a fixed list of events, for tests of consumers (the proxy) and demos.
///
/// Each call to ``events()`` replays the list from the start. The stream then ends, or stays open (as a
/// real source would) until the consumer stops, when `keepOpen` is set.
public struct FixedObjectSource: ObjectSource {
    /// The events delivered, in order.
    public let scripted: [SourceEvent]
    /// Whether the stream stays open after the last event.
    public let keepOpen: Bool

    /// Creates a source delivering `events`.
    public init(_ events: [SourceEvent], keepOpen: Bool = false) {
        self.scripted = events
        self.keepOpen = keepOpen
    }

    /// Creates a source delivering upserts of `objects`, then ``SourceEvent/synced``.
    public init(initial objects: [KubeObject], keepOpen: Bool = false) {
        self.init(objects.map { .change(.upsert($0)) } + [.synced], keepOpen: keepOpen)
    }

    /// Replays the events.
    public func events() -> AsyncStream<SourceEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: SourceEvent.self)
        for event in scripted { continuation.yield(event) }
        if !keepOpen { continuation.finish() }
        return stream
    }
}
