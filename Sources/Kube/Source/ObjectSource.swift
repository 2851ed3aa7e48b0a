/// Something that produces typed, validated changes to Services and EndpointSlices: the API server, a
/// manifests directory, or a fake in tests.
///
/// Contract: ``events()`` starts the source; the stream first delivers the initial objects as upserts, then
/// ``SourceEvent/synced`` exactly once, then later changes. Changes for one object arrive in order. Sources
/// never deliver a "reset": after a reconnection or a relist they deliver only the difference. Cancelling
/// the consuming task (or dropping the stream) stops the source.
public protocol ObjectSource: Sendable {
    /// Starts the source and returns its events.
    func events() -> AsyncStream<SourceEvent>
}
