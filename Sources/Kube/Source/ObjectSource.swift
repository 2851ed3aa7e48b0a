/// Something that produces typed, validated changes to Services and EndpointSlices: the API server, a
/// manifests directory, or a fake in tests.
///
/// Contract: ``run(delivering:)`` does the source's work in the calling task (no task of its own) and hands
/// each event to `deliver`: first the initial objects as upserts, then ``SourceEvent/synced`` exactly once,
/// then later changes. Changes for one object arrive in order. Sources never deliver a "reset": after a
/// reconnection or a relist they deliver only the difference. It returns when the calling task is cancelled,
/// and throws (a ``SourceError``) when the source cannot go on; passing failures (a dropped connection, a broken
/// file) are retried and logged, not thrown. Blocking work (file reads, parsing, decoding) runs on a thread
/// pool, never on the caller's. ``SourceService`` runs a source as a ServiceLifecycle service with its events as
/// a stream.
public protocol ObjectSource: Sendable {
    /// Runs the source until the calling task is cancelled, delivering its events in order; throws when it
    /// cannot go on.
    func run(delivering deliver: @escaping @Sendable (SourceEvent) -> Void) async throws
}
