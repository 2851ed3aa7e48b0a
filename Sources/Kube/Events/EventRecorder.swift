import Values
import Foundation
import Logging
import Metrics
import NIOHTTP1

/// The ``EventSink`` that writes Kubernetes Events (events.k8s.io/v1) through the API-server source's connection.
///
/// ``record(_:)`` never waits: events go into a bounded queue (``defaultCapacity``), and one that finds it full is
/// dropped and counted. The source's task writes them (``APIServerSource/Options/events``), sharing its HTTP
/// client, token and client-side rate limit; ``EventCorrelator`` decides what each one becomes: a new Event, a PATCH
/// of a repeated one's series, or nothing (the node's token bucket is empty: counted as dropped). A write the API
/// server refuses is logged, counted and not retried.
public final class EventRecorder: EventSink {
    /// Metric names, for docs and tests.
    public enum Name {
        /// Events dropped, by reason: `queueFull`, `rateLimited`, `failed`.
        public static let dropped = "ipvs_proxy_events_dropped_total"
        /// Events written, by verb: `create`, `patch`.
        public static let written = "ipvs_proxy_events_written_total"
    }

    /// The queue's size: events waiting to be written.
    public static let defaultCapacity = 256
    /// How long one write may take.
    static let timeout: Duration = .seconds(10)
    /// Bodies with their keys in order, so a logged or captured one reads the same each time.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    private let stream: AsyncStream<KubeEvent>
    private let continuation: AsyncStream<KubeEvent>.Continuation
    private let correlator: Locked<EventCorrelator>
    private let dropped: [String: Counter]
    private let written: [String: Counter]
    private let logger: Logger

    /// A recorder for `controller` (the Events' `reportingController`) on the node `instance`
    /// (`reportingInstance`), queueing up to `capacity` events.
    public init(
        controller: String = "ipvs-proxy", instance: String, capacity: Int = defaultCapacity,
        limits: EventCorrelator.Limits = EventCorrelator.Limits(), metricsFactory: (any MetricsFactory)? = nil,
        logger: Logger
    ) {
        let (stream, continuation) = AsyncStream.makeStream(
            of: KubeEvent.self, bufferingPolicy: .bufferingOldest(capacity))
        self.stream = stream
        self.continuation = continuation
        correlator = Locked(EventCorrelator(controller: controller, instance: instance, limits: limits))
        let factory = metricsFactory ?? MetricsSystem.factory
        dropped = Dictionary(
            uniqueKeysWithValues: ["queueFull", "rateLimited", "failed"].map {
                ($0, Counter(label: Name.dropped, dimensions: [("reason", $0)], factory: factory))
            })
        written = Dictionary(
            uniqueKeysWithValues: ["create", "patch"].map {
                ($0, Counter(label: Name.written, dimensions: [("verb", $0)], factory: factory))
            })
        self.logger = logger
    }

    /// Queues `event`; drops it (counted) when the queue is full.
    public func record(_ event: KubeEvent) {
        if case .dropped = continuation.yield(event) { dropped["queueFull"]?.increment() }
    }

    /// Writes queued events until the task is cancelled. Runs once (the source's task).
    func run(_ requester: APIRequester, clock: any SourceClock) async {
        for await event in stream {
            await write(event, requester, clock: clock, retryingGone: true)
        }
    }

    private func write(
        _ event: KubeEvent, _ requester: APIRequester, clock: any SourceClock, retryingGone: Bool
    ) async {
        let decision = correlator.withLock { $0.decide(event, now: clock.now, wallTime: Date()) }
        let verb: String
        let code: UInt?
        do {
            switch decision {
            case .rateLimited:
                dropped["rateLimited"]?.increment()
                logger.debug("event dropped: the node's event rate limit", metadata: ["reason": "\(event.reason)"])
                return
            case .create(let object):
                verb = "create"
                let body = try Self.encoder.encode(object)
                code = try await Self.status(
                    of: requester.send(
                        .POST, Self.collection(object.metadata.namespace), body: Array(body), timeout: Self.timeout))
            case .patch(let namespace, let name, let patch):
                verb = "patch"
                let body = try Self.encoder.encode(patch)
                code = try await Self.status(
                    of: requester.send(
                        .PATCH, Self.collection(namespace) + "/" + name, body: Array(body),
                        contentType: "application/strategic-merge-patch+json", timeout: Self.timeout))
            }
        } catch {
            if Task.isCancelled { return }
            failed(event, ["error": "\(error)"])
            return
        }
        switch code {
        case 200?, 201?:
            written[verb]?.increment()
        case 404? where verb == "patch" && retryingGone:
            // The Event is gone (it expired, or was deleted): a new one is created, as client-go does.
            correlator.withLock { $0.forget(event) }
            await write(event, requester, clock: clock, retryingGone: false)
        default:
            failed(event, ["verb": "\(verb)", "status": "\(code.map(String.init) ?? "none")"])
        }
    }

    private func failed(_ event: KubeEvent, _ metadata: Logger.Metadata) {
        correlator.withLock { $0.forget(event) }
        dropped["failed"]?.increment()
        var metadata = metadata
        metadata["regarding"] = "\(event.regarding.namespace)/\(event.regarding.name)"
        metadata["reason"] = "\(event.reason)"
        logger.warning("could not write an Event; it is dropped (check RBAC: create, patch on events.k8s.io events)",
            metadata: metadata)
    }

    /// The response's status, once its body (the Event, or a Status) is read, so the connection can be reused.
    static func status(of response: APIResponse) async throws -> UInt {
        _ = try await response.body.collect(upTo: 1 << 20)
        return response.status.code
    }

    /// `/apis/events.k8s.io/v1/namespaces/NAMESPACE/events`.
    static func collection(_ namespace: String) -> String {
        "/apis/events.k8s.io/v1/namespaces/\(namespace)/events"
    }
}
