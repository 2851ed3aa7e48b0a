/// Something that produces typed, validated changes to Services and EndpointSlices: the API server, a
/// manifests directory, or a fake in tests.
///
/// Contract: ``run(delivering:)`` does the source's work in the calling task (no task of its own) and hands
/// each event to `deliver`: first the initial objects as upserts, then ``SourceEvent/synced`` exactly once,
/// then later changes. Changes for one object arrive in order. Sources never deliver a "reset": after a
/// reconnection or a relist they deliver only the difference. It returns when the calling task is cancelled
/// (or the source cannot go on). Blocking work (file reads, parsing) runs on a thread pool, never on the
/// caller's. ``SourceService`` runs a source as a ServiceLifecycle service with its events as a stream.
public protocol ObjectSource: Sendable {
    /// Runs the source until the calling task is cancelled, delivering its events in order.
    func run(delivering deliver: @escaping @Sendable (SourceEvent) -> Void) async
}
