import Foundation
import IPVS
import Kube
import Logging
import TestSupport
import Testing

@testable import Proxy

/// kube-proxy's `NodeEligible` from this node's Node (issue 12, Deliver 2; `proxier_health.go`): /healthz turns 503
/// while the node is being deleted or tainted `ToBeDeletedByClusterAutoscaler`; other nodes' Nodes do not count.
@Suite struct NodeEligibilityTests {
    func loop() throws -> ObservedLoop {
        var reconciler = Reconciler(kernel: FakeKernel(), link: FakeLink(), logger: Logger(label: "test"))
        try reconciler.adopt()
        let loop = ReconcileLoop(
            reconciler: reconciler, tracker: DesiredStateTracker(configuration: ProxyConfiguration(nodeName: "node-a")),
            syncPeriod: .seconds(30))
        return ObservedLoop(loop: loop, observers: [])
    }

    static func change(_ node: ValidatedNode, delete: Bool = false) -> Inbox.Input {
        .event(.change(delete ? .delete(.node(node)) : .upsert(.node(node))))
    }

    @Test(
        arguments: [
            ([ValidatedNode(name: "node-a")], true, "this node, nothing special"),
            ([ValidatedNode(name: "node-a", beingDeleted: true)], false, "deletionTimestamp set"),
            ([ValidatedNode(name: "node-a", taintKeys: ["ToBeDeletedByClusterAutoscaler"])], false, "the CA's taint"),
            ([ValidatedNode(name: "node-a", taintKeys: ["node.kubernetes.io/unschedulable"])], true, "another taint"),
            ([ValidatedNode(name: "node-b", beingDeleted: true)], nil, "another node's Node"),
            (
                [
                    ValidatedNode(name: "node-a", taintKeys: ["ToBeDeletedByClusterAutoscaler"]),
                    ValidatedNode(name: "node-a"),
                ],
                true, "the taint removed again"
            ),
        ] as [([ValidatedNode], Bool?, String)])
    func eligibilityFollowsTheNode(nodes: [ValidatedNode], eligible: Bool?, why: String) async throws {
        let recorder = ProxyHealthRecorder(timeout: .seconds(60))
        var loop = try loop()
        loop.observers = [recorder]
        recorder.started(at: Date(timeIntervalSince1970: 0))
        try await loop.handle(nodes.map { Self.change($0) } + [.event(.synced)], now: F.t0)
        #expect(loop.loop.tracker.nodeEligible == eligible, "\(why)")
        let status = recorder.status(at: Date(timeIntervalSince1970: 1), for: .healthz)
        #expect(status.nodeEligible == eligible, "\(why)")
        #expect(status.httpStatus == (eligible == false ? 503 : 200), "\(why)")
        #expect(recorder.status(at: Date(timeIntervalSince1970: 1), for: .livez).httpStatus == 200, "\(why)")
        if let eligible { #expect(status.json.contains("\"nodeEligible\": \(eligible)"), "\(why)") }
    }

    @Test func aDeletedNodeIsNotEligibleAndEachChangeIsReportedOnce() async throws {
        var loop = try loop()
        let first = try await loop.handle([Self.change(ValidatedNode(name: "node-a")), .event(.synced)], now: F.t0)
        #expect(first.reports.compactMap(Self.eligibility) == [true])
        let again = try await loop.handle([Self.change(ValidatedNode(name: "node-a", zone: "z"))], now: F.t0)
        #expect(again.reports.compactMap(Self.eligibility) == [])
        let gone = try await loop.handle([Self.change(ValidatedNode(name: "node-a"), delete: true)], now: F.t0)
        #expect(gone.reports.compactMap(Self.eligibility) == [false])
    }

    static func eligibility(_ report: ReconcileReport) -> Bool? {
        if case .nodeEligible(let eligible) = report { return eligible }
        return nil
    }
}
