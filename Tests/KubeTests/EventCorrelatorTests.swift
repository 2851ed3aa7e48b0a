import Foundation
import Metrics
import Prometheus
import Testing

@testable import Kube

/// client-go's event broadcaster rules (k8s.io/client-go/tools/events) for one node: the first event is created,
/// a repeat patches its series, an event unseen for 6 minutes is created anew, and writes beyond the node's token
/// bucket are dropped, never waited for.
@Suite struct EventCorrelatorTests {
    static let wall = Date(timeIntervalSince1970: 1_796_212_800.25)

    static func event(_ name: String = "web", note: String = "bad flag", reason: String = "BadAnnotation")
        -> KubeEvent
    {
        KubeEvent(
            regarding: .service(ObjectKey(namespace: "default", name: name)), type: .warning, reason: reason,
            action: "IgnoreAnnotation", note: note)
    }

    /// What one decision was, in short.
    static func summary(_ decision: EventCorrelator.Decision) -> String {
        switch decision {
        case .create(let object): "create \(object.metadata.namespace)/\(object.regarding.name)"
        case .patch(_, _, let patch): "patch \(patch.series.count)"
        case .rateLimited: "rateLimited"
        }
    }

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        /// Each event (by index into `events`) and the second it is seen at.
        var seen: [(event: Int, second: Int)]
        var expected: [String]
        var limits = EventCorrelator.Limits()
    }

    static let events = [event(), event(note: "other flag"), event("db"), event(reason: "UnsupportedScheduler")]

    static let cases: [Case] = {
        var tight = EventCorrelator.Limits()
        tight.burst = 2
        tight.qps = 0.1
        var small = EventCorrelator.Limits()
        small.capacity = 2
        return [
            Case(
                description: "a repeat patches the series, counting every time seen",
                seen: [(0, 0), (0, 1), (0, 2)], expected: ["create default/web", "patch 2", "patch 3"]),
            Case(
                description: "another note, object or reason is another Event",
                seen: [(0, 0), (1, 0), (2, 0), (3, 0)],
                expected: ["create default/web", "create default/web", "create default/db", "create default/web"]),
            Case(
                description: "an event unseen for 6 minutes is created anew; a repeat within them patches",
                seen: [(0, 0), (0, 359), (0, 719)], expected: ["create default/web", "patch 2", "create default/web"]),
            Case(
                description: "beyond the burst a write is dropped; a dropped repeat still counts in the series",
                seen: [(0, 0), (0, 0), (0, 0), (1, 0), (0, 10)],
                expected: ["create default/web", "patch 2", "rateLimited", "rateLimited", "patch 4"], limits: tight),
            Case(
                description: "a dropped new event is not remembered: it is created when a token is there",
                seen: [(0, 0), (1, 0), (2, 0), (2, 10)],
                expected: ["create default/web", "create default/web", "rateLimited", "create default/db"],
                limits: tight),
            Case(
                description: "beyond its capacity the least recently seen is forgotten",
                seen: [(0, 0), (1, 1), (2, 2), (0, 3), (2, 4)],
                expected: [
                    "create default/web", "create default/web", "create default/db", "create default/web", "patch 2",
                ],
                limits: small),
        ]
    }()

    @Test(arguments: cases) func decides(_ test: Case) {
        var correlator = EventCorrelator(controller: "ipvs-proxy", instance: "node-a", limits: test.limits)
        let decided = test.seen.map {
            Self.summary(
                correlator.decide(
                    Self.events[$0.event], now: .seconds($0.second),
                    wallTime: Self.wall + TimeInterval($0.second)))
        }
        #expect(decided == test.expected)
    }

    @Test func theCreatedEventHasEveryFieldTheAPIRequires() throws {
        var correlator = EventCorrelator(controller: "ipvs-proxy", instance: "node-a")
        guard case .create(let object) = correlator.decide(Self.event(), now: .zero, wallTime: Self.wall) else {
            Issue.record("not a create")
            return
        }
        #expect(object.apiVersion == "events.k8s.io/v1" && object.kind == "Event")
        #expect(object.metadata.name == "web.\(String(UInt64(Self.wall.timeIntervalSince1970 * 1e9), radix: 16))")
        #expect(object.metadata.namespace == "default")
        #expect(object.eventTime == "2026-12-02T12:00:00.250000Z")
        #expect(object.reportingController == "ipvs-proxy" && object.reportingInstance == "node-a")
        #expect(
            object.regarding == ObjectReference(apiVersion: "v1", kind: "Service", namespace: "default", name: "web"))
        #expect(object.type == .warning && object.reason == "BadAnnotation" && object.action == "IgnoreAnnotation")
        guard case .patch(let namespace, let name, let patch) = correlator.decide(
            Self.event(), now: .seconds(1), wallTime: Self.wall + 1)
        else {
            Issue.record("not a patch")
            return
        }
        #expect(namespace == "default" && name == object.metadata.name)
        #expect(patch.series == EventSeriesPatch.Series(count: 2, lastObservedTime: "2026-12-02T12:00:01.250000Z"))
        let json = String(decoding: try JSONEncoder().encode(patch), as: UTF8.self)
        #expect(json.contains("\"series\":{") && json.contains("\"count\":2"))
    }

    @Test func aLongNoteIsCutToTheAPIsLimitAtACharacterBoundary() {
        let note = String(repeating: "é", count: 600)
        let object = EventObject(Self.event(note: note), time: Self.wall, controller: "c", instance: "i")
        #expect(object.note.utf8.count <= EventObject.noteLimit)
        #expect(object.note.hasSuffix("...") && object.note.hasPrefix("éé"))
        let short = EventObject(Self.event(note: "short"), time: Self.wall, controller: "c", instance: "i")
        #expect(short.note == "short")
    }

    @Test func aFullQueueDropsAndCountsWithoutWaiting() {
        let registry = PrometheusCollectorRegistry()
        let recorder = EventRecorder(
            instance: "node-a", capacity: 2, metricsFactory: PrometheusMetricsFactory(registry: registry),
            logger: .init(label: "test"))
        for index in 0..<5 { recorder.record(Self.event("s\(index)")) }
        let text = registry.emitToString()
        #expect(text.contains("ipvs_proxy_events_dropped_total{reason=\"queueFull\"} 3"), "\(text)")
        #expect(text.contains("ipvs_proxy_events_dropped_total{reason=\"rateLimited\"} 0"), "\(text)")
    }
}
