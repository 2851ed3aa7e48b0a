import IPVS
import Logging
import TestSupport
import Testing

@testable import Proxy

/// A virtual server the kernel refuses: the rest of the pass is applied, and it is retried with its own backoff,
/// left out of every pass (full ones included) until due, and tried at once when its desired state changes.
@Suite struct RefusalTests {
    let logger = Logger(label: "test")
    static let other = F.key(.tcp, "10.96.0.20", 443)
    static let refused = IPVSOperation.addRealServer(F.rs("10.244.0.99", 8080), to: F.web)

    func desired(webReals: [String] = ["10.244.0.10", "10.244.0.99"]) -> DesiredState {
        DesiredState(
            virtualServers: [
                DesiredVirtualServer(server: F.vs(F.web), realServers: webReals.map { F.rs($0, 8080) }),
                DesiredVirtualServer(server: F.vs(F.dns), realServers: [F.rs("10.244.0.10", 5353)]),
                DesiredVirtualServer(server: F.vs(Self.other), realServers: [F.rs("10.244.0.20", 8443)]),
            ],
            boundAddresses: [F.ip(F.vip), F.ip("10.96.0.20")])
    }

    func reconciler(_ kernel: FakeKernel) throws -> Reconciler {
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: logger)
        try reconciler.adopt()
        return reconciler
    }

    @Test func oneRefusedOperationLeavesEveryOtherOperationOfThePassApplied() throws {
        let kernel = FakeKernel()
        kernel.refuse(Self.refused)
        kernel.refuse(.addVirtualServer(F.vs(F.dns)))
        var reconciler = try reconciler(kernel)
        let report = reconciler.sync(desired(), now: F.t0)
        #expect(Set(report.failures.keys.map(\.virtualServerKey)) == [F.web, F.dns])
        #expect(report.failures[.addRealServer(F.rs("10.244.0.10", 5353), to: F.dns)]?.code == .notFound)
        #expect(report.completed, "the kernel answered every operation")
        #expect(report.announced == [F.web, F.dns])
        #expect(kernel.table[F.web]?.realServers.map(\.server) == [F.rs("10.244.0.10", 8080)])
        #expect(kernel.table[Self.other]?.realServers.map(\.server) == [F.rs("10.244.0.20", 8443)])
        #expect(kernel.table[F.dns] == nil)
        #expect(report.plan.operations.count == 7, "every operation was sent: \(report.plan)")
        #expect(kernel.applied.count == 7)
    }

    @Test func aRefusedVirtualServerIsRetriedOnlyWhenItsBackoffHasPassed() throws {
        let kernel = FakeKernel()
        kernel.refuse(Self.refused)
        var reconciler = try reconciler(kernel)
        _ = reconciler.sync(desired(), now: F.t0)
        let touchedNothing = PlanScope.only(virtualServers: [], addresses: [])
        var attempts: [Double] = []
        for tenth in 1...320 {
            let now = F.t0 + .milliseconds(100 * tenth)
            #expect(
                reconciler.hasRetryDue(desired(), now: now) == (reconciler.retries.nextDue.map { $0 <= now } ?? false))
            let before = kernel.applied.count
            let report = reconciler.sync(desired(), scope: touchedNothing, now: now)
            if kernel.applied.count > before {
                attempts.append(Double(tenth) / 10)
                #expect(report.plan.operations == [Self.refused])
                #expect(report.announced.isEmpty, "refused as before: no news")
            }
        }
        #expect(attempts == [1, 3, 7, 15, 31], "1 s, then doubling")
        #expect(reconciler.retries.entries[F.web]?.refusals == 6)
    }

    @Test func aFullPassLeavesAWaitingVirtualServerOutAndDoesEverythingElse() throws {
        let kernel = FakeKernel()
        kernel.refuse(Self.refused)
        var reconciler = try reconciler(kernel)
        _ = reconciler.sync(desired(), now: F.t0)
        _ = kernel.apply([
            .deleteVirtualServer(Self.other), .deleteRealServer(F.rs("10.244.0.10", 8080).endpoint, from: F.web),
        ])
        try reconciler.adopt()
        let full = reconciler.sync(desired(), now: F.t0 + .milliseconds(500))
        #expect(full.held == [F.web])
        #expect(!full.plan.operations.contains { $0.virtualServerKey == F.web }, "\(full.plan)")
        #expect(kernel.table[Self.other] != nil, "drift elsewhere repaired")
        let due = reconciler.sync(desired(), now: F.t0 + .seconds(1))
        #expect(due.plan.operations.contains(.addRealServer(F.rs("10.244.0.10", 8080), to: F.web)), "\(due.plan)")
    }

    @Test func aChangedDesiredStateIsTriedAtOnceAndASuccessEndsTheBackoff() throws {
        let kernel = FakeKernel()
        kernel.refuse(Self.refused)
        var reconciler = try reconciler(kernel)
        for second in 0..<4 { _ = reconciler.sync(desired(), now: F.t0 + .seconds(second * 10)) }
        #expect(reconciler.retries.entries[F.web]?.refusals == 4)
        let edited = desired(webReals: ["10.244.0.10", "10.244.0.11", "10.244.0.99"])
        let scope = PlanScope.only(virtualServers: [F.web], addresses: [])
        let changed = reconciler.sync(edited, scope: scope, now: F.t0 + .seconds(30) + .milliseconds(1))
        #expect(changed.plan.operations.contains(.addRealServer(F.rs("10.244.0.11", 8080), to: F.web)))
        #expect(changed.announced == [F.web], "a refusal of the new desired state is news")
        #expect(reconciler.retries.entries[F.web]?.refusals == 1)
        let fixed = desired(webReals: ["10.244.0.10", "10.244.0.11"])
        let removed = reconciler.sync(fixed, scope: scope, now: F.t0 + .seconds(31))
        #expect(removed.succeeded)
        #expect(reconciler.retries.isEmpty)
        #expect(!reconciler.hasRetryDue(fixed, now: F.t0 + .seconds(3600)))
    }

    @Test func aRetryThatSucceedsProgramsTheVirtualServerAndEndsTheWait() throws {
        let kernel = FakeKernel()
        kernel.refuse(Self.refused)
        var reconciler = try reconciler(kernel)
        _ = reconciler.sync(desired(), now: F.t0)
        _ = reconciler.sync(desired(), now: F.t0 + .seconds(1))
        kernel.allow(Self.refused)
        #expect(reconciler.retries.nextDue == F.t0 + .seconds(3))
        let report = reconciler.sync(desired(), now: F.t0 + .seconds(3))
        #expect(report.succeeded)
        #expect(kernel.table[F.web]?.realServers.count == 2)
        #expect(reconciler.retries.isEmpty)
    }
}
