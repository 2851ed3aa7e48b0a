import Foundation
import IPVS
import Kube
import Logging
import TestSupport
import Testing

@testable import Proxy

/// kube-proxy's change counts and trigger times, as the reconcile loop keeps them: Service and EndpointSlice
/// changes (not Node changes), pending until a pass runs to its end; the trigger times of EndpointSlice changes,
/// handed to that pass, except those from before the loop started.
@Suite struct ChangeCountsTests {
    func loop() throws -> ReconcileLoop {
        var reconciler = Reconciler(kernel: FakeKernel(), link: FakeLink(), logger: Logger(label: "test"))
        try reconciler.adopt()
        return ReconcileLoop(
            reconciler: reconciler, tracker: DesiredStateTracker(configuration: ProxyConfiguration()),
            syncPeriod: .seconds(30))
    }

    func slice(triggeredAt time: String?) throws -> ValidatedEndpointSlice {
        let annotation = time.map { "\n  annotations: {endpoints.kubernetes.io/last-change-trigger-time: \"\($0)\"}" }
        return try Objects.slice(
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: web-abc
              namespace: default
              labels: {kubernetes.io/service-name: web}\(annotation ?? "")
            addressType: IPv4
            endpoints:
            - addresses: ["10.244.0.10"]
            ports:
            - {name: http, protocol: TCP, port: 8080}
            """)
    }

    static func rfc3339(_ time: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: time))
    }

    @Test func changesAreCountedByKindAndTheirTriggerTimesGoToThePassThatProgramsThem() throws {
        var loop = try loop()
        loop.startTime = 1_000_000
        let web = try Objects.web(spec: "  clusterIP: 10.96.0.10\n  ports:\n  - {name: http, protocol: TCP, port: 80}")
        let outcome = try loop.handle(
            [
                .event(.change(.upsert(.service(web)))),
                .event(.change(.upsert(.endpointSlice(try slice(triggeredAt: Self.rfc3339(1_000_010.5)))))),
                .event(.change(.upsert(.endpointSlice(try slice(triggeredAt: Self.rfc3339(999_990)))))),
                .event(.change(.upsert(.endpointSlice(try slice(triggeredAt: nil))))),
                .event(.change(.upsert(.node(ValidatedNode(name: "node-a"))))),
                .event(.synced),
            ], now: F.t0)
        let counts = outcome.reports.compactMap { if case .changes(let c) = $0 { c } else { nil } }
        #expect(counts.count == 1, "one report for the batch")
        #expect(counts.first?.services == 1)
        #expect(counts.first?.endpointSlices == 3)
        #expect(counts.first?.pendingEndpointSlices == 3)
        let passes = outcome.reports.compactMap { if case .pass(let p) = $0 { p } else { nil } }
        #expect(passes.count == 1)
        #expect(passes.first?.programmedTriggerTimes == [1_000_010.5], "not before the start, not without one")
        #expect(passes.first?.servicePorts[F.web]?.description == "default/web:http")
        #expect(loop.changeCounts.pendingEndpointSlices == 0 && loop.changeCounts.endpointSlices == 3)

        let quiet = try loop.handle([.tick], now: F.t0 + .seconds(1))
        #expect(!quiet.reports.contains { if case .changes = $0 { true } else { false } }, "no change, no report")
    }

    @Test func aSlicesDeletionDropsItsServicesTriggerTimesAsKubeProxyDoes() throws {
        var loop = try loop()
        loop.startTime = 1_000_000
        let triggered = try slice(triggeredAt: Self.rfc3339(1_000_010))
        let outcome = try loop.handle(
            [
                .event(.change(.upsert(.endpointSlice(triggered)))), .event(.change(.delete(.endpointSlice(triggered)))),
                .event(.synced),
            ], now: F.t0)
        let passes = outcome.reports.compactMap { if case .pass(let p) = $0 { p } else { nil } }
        #expect(passes.first?.programmedTriggerTimes == [])
    }

    /// kube-proxy counts every EndpointSlice event and keeps every trigger time; the inbox folds a burst of updates
    /// to one slice into its last state, and the folded ones still count (the metrics lab test met this when a watch
    /// event arrived before the loop had taken the list's version of the same slice).
    @Test func changesFoldedByTheInboxAreStillCountedWithTheirTriggerTimes() async throws {
        var loop = try loop()
        loop.startTime = 1_000_000
        let inbox = Inbox()
        for time in [1_000_010.0, 1_000_011.0, 1_000_012.0] {
            await inbox.push(.event(.change(.upsert(.endpointSlice(try slice(triggeredAt: Self.rfc3339(time)))))))
        }
        await inbox.push(.event(.synced))
        let inputs = inbox.take()
        #expect(inputs.count == 4, "two folded updates, the last state, synced")
        let outcome = try loop.handle(inputs, now: F.t0)
        let counts = outcome.reports.compactMap { if case .changes(let c) = $0 { c } else { nil } }
        #expect(counts.first?.endpointSlices == 3)
        let passes = outcome.reports.compactMap { if case .pass(let p) = $0 { p } else { nil } }
        #expect(passes.first?.programmedTriggerTimes == [1_000_010, 1_000_011, 1_000_012])
        #expect(passes.first?.objectChanges == 1, "one object changed: the tracker applied its last state once")
    }
}
