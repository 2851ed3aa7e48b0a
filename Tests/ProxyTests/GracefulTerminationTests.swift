import IPVS
import Testing

@testable import Proxy

@Suite struct GracefulTerminationTests {
    let ref = RealServerRef(F.web, RealServerEndpoint(address: F.ip("10.244.0.10"), port: 8080))

    func current(weight: Int32, active: UInt32 = 0, inactive: UInt32 = 0) -> KnownRealServer {
        KnownRealServer(
            server: F.rs("10.244.0.10", 8080, weight: weight),
            activeConnections: active,
            inactiveConnections: inactive
        )
    }

    @Test func departingRealServerIsDrainedThenDeletedWhenIdle() {
        var termination = GracefulTermination(period: .seconds(30))
        #expect(termination.decide(ref, current: current(weight: 1, active: 2), now: F.t0) == .drain)
        #expect(termination.pendingCount == 1)
        #expect(termination.nextDeadline == F.t0.advanced(by: .seconds(30)))
        #expect(termination.decide(ref, current: current(weight: 0, active: 1), now: F.t0 + .seconds(5)) == .wait)
        #expect(termination.decide(ref, current: current(weight: 0, inactive: 1), now: F.t0 + .seconds(6)) == .wait)
        // No connections, as far as anyone knows: counts not read in this pass are not trusted.
        #expect(termination.decide(ref, current: current(weight: 0), now: F.t0 + .seconds(7)) == .wait)
        termination.checked([F.web], now: F.t0 + .seconds(8))
        #expect(termination.decide(ref, current: current(weight: 0), now: F.t0 + .seconds(8)) == .delete)
        #expect(termination.pendingCount == 0)
    }

    @Test func busyRealServerIsDeletedWhenTheGracePeriodEnds() {
        var termination = GracefulTermination(period: .seconds(30))
        #expect(termination.decide(ref, current: current(weight: 1, active: 9), now: F.t0) == .drain)
        #expect(termination.decide(ref, current: current(weight: 0, active: 9), now: F.t0 + .seconds(29)) == .wait)
        #expect(termination.decide(ref, current: current(weight: 0, active: 9), now: F.t0 + .seconds(30)) == .delete)
    }

    @Test func drainedRealServerFoundAtStartGetsAFullGracePeriod() {
        var termination = GracefulTermination(period: .seconds(30))
        #expect(termination.decide(ref, current: current(weight: 0, active: 1), now: F.t0) == .wait)
        #expect(termination.nextDeadline == F.t0.advanced(by: .seconds(30)))
    }

    @Test func udpRealServerGoesAtOnce() {
        var termination = GracefulTermination()
        let udp = RealServerRef(F.dns, RealServerEndpoint(address: F.ip("10.244.0.10"), port: 53))
        #expect(termination.decide(udp, current: current(weight: 1, active: 3), now: F.t0) == .delete)
        #expect(termination.pendingCount == 0)
    }

    @Test func endpointThatComesBackIsRestoredAndForgotten() {
        var termination = GracefulTermination()
        let actual = [
            F.state(F.vs(F.web), [F.rs("10.244.0.10", 8080, weight: 0)], connections: ["10.244.0.10": (1, 0)])
        ]
        let desired = DesiredState(
            virtualServers: [DesiredVirtualServer(server: F.vs(F.web), realServers: [F.rs("10.244.0.10", 8080)])],
            boundAddresses: [F.ip(F.vip)]
        )
        _ = termination.decide(ref, current: current(weight: 1, active: 1), now: F.t0)
        let plan = Planner.plan(
            desired: desired,
            actual: ActualState(virtualServers: actual).virtualServers,
            ownership: Ownership(linkAddresses: [F.ip(F.vip)]),
            termination: &termination,
            now: F.t0 + .seconds(1)
        )
        #expect(plan.operations == [.updateRealServer(F.rs("10.244.0.10", 8080), in: F.web)])
        #expect(termination.pendingCount == 0)
    }

    @Test func deletedVirtualServerForgetsItsDrainingRealServers() {
        var termination = GracefulTermination()
        _ = termination.decide(ref, current: current(weight: 1, active: 1), now: F.t0)
        termination.forgetAll(of: F.web)
        #expect(termination.pendingCount == 0)
    }

    @Test func aDrainingVirtualServerIsDueOncePerIntervalOrAtItsDeadline() {
        var termination = GracefulTermination(period: .seconds(30), checkInterval: .seconds(2))
        #expect(termination.nextDue == nil, "nothing drains")
        _ = termination.decide(ref, current: current(weight: 1, active: 1), now: F.t0)
        #expect(termination.nextDue == F.t0 + .seconds(2))
        #expect(!termination.hasDue(now: F.t0 + .seconds(1)))
        #expect(termination.due(now: F.t0 + .seconds(1)).isEmpty)
        #expect(termination.due(now: F.t0 + .seconds(2)) == [F.web])
        termination.checked([F.web], now: F.t0 + .seconds(2))
        #expect(termination.nextDue == F.t0 + .seconds(4))
        #expect(!termination.hasDue(now: F.t0 + .seconds(3)))
        #expect(termination.hasDue(now: F.t0 + .seconds(4)))
        // However long the interval, a passing deadline makes it due.
        var slow = GracefulTermination(period: .seconds(5), checkInterval: .seconds(60))
        _ = slow.decide(ref, current: current(weight: 1, active: 1), now: F.t0)
        #expect(slow.nextDue == F.t0 + .seconds(5), "the deadline, before the next check")
        #expect(!slow.hasDue(now: F.t0 + .seconds(4)))
        #expect(slow.due(now: F.t0 + .seconds(5)) == [F.web])
    }

    @Test func forgettingOneVirtualServerLeavesTheOthersDraining() {
        var termination = GracefulTermination()
        let other = RealServerRef(F.key(.tcp, "10.96.0.11", 80), ref.endpoint)
        let second = RealServerRef(F.web, RealServerEndpoint(address: F.ip("10.244.0.11"), port: 8080))
        for each in [ref, second, other] { _ = termination.decide(each, current: current(weight: 1), now: F.t0) }
        #expect(termination.pendingCount == 3)
        termination.forgetAll(of: F.web)
        #expect(termination.pendingCount == 1)
        #expect(termination.deadline(of: ref) == nil && termination.deadline(of: second) == nil)
        #expect(termination.deadline(of: other) == F.t0.advanced(by: .seconds(30)))
        termination.forget(other)
        #expect(termination.pendingCount == 0 && termination.draining.isEmpty)
    }

    @Test func aDrainingRealServerDeletedBehindTheProxysBackIsForgotten() {
        var termination = GracefulTermination()
        _ = termination.decide(ref, current: current(weight: 1, active: 1), now: F.t0)
        // ipvsadm deleted it: the kernel's virtual server no longer has it.
        let actual = [F.state(F.vs(F.web), [])]
        let plan = Planner.plan(
            desired: DesiredState(
                virtualServers: [DesiredVirtualServer(server: F.vs(F.web), realServers: [])],
                boundAddresses: [F.ip(F.vip)]),
            actual: ActualState(virtualServers: actual).virtualServers,
            ownership: Ownership(linkAddresses: [F.ip(F.vip)]),
            termination: &termination,
            now: F.t0 + .seconds(1)
        )
        #expect(plan.operations.isEmpty)
        #expect(termination.pendingCount == 0)
        #expect(!termination.hasDue(now: F.t0 + .seconds(60)))
    }
}
