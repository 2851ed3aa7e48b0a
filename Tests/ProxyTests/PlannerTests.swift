import Values
import IPVS
import Testing

@testable import Proxy

@Suite struct PlannerTests {
    func plan(
        _ desired: DesiredState,
        _ actual: [VirtualServerState],
        ownership: Ownership = Ownership(linkAddresses: [F.ip(F.vip)]),
        scope: PlanScope = .all,
        termination: inout GracefulTermination,
        at now: ContinuousClock.Instant = F.t0
    ) -> Plan {
        let actualMap = ActualState(virtualServers: actual).virtualServers
        return Planner.plan(
            desired: desired,
            actual: actualMap,
            ownership: ownership,
            scope: scope,
            termination: &termination,
            now: now
        )
    }

    func plan(_ desired: DesiredState, _ actual: [VirtualServerState], ownership: Ownership? = nil) -> Plan {
        var termination = GracefulTermination()
        return plan(
            desired, actual, ownership: ownership ?? Ownership(linkAddresses: [F.ip(F.vip)]), termination: &termination)
    }

    @Test func nothingWantedNothingThereIsEmpty() {
        #expect(plan(DesiredState(), [], ownership: Ownership()).isEmpty)
    }

    @Test func newServiceAddsVirtualServerThenRealServersAndBindsItsAddress() {
        let desired = DesiredState(
            virtualServers: [
                DesiredVirtualServer(
                    server: F.vs(F.web), realServers: [F.rs("10.244.0.11", 8080), F.rs("10.244.0.10", 8080)])
            ],
            boundAddresses: [F.ip(F.vip)]
        )
        let result = plan(desired, [], ownership: Ownership())
        #expect(
            result.operations == [
                .addVirtualServer(F.vs(F.web)),
                .addRealServer(F.rs("10.244.0.10", 8080), to: F.web),
                .addRealServer(F.rs("10.244.0.11", 8080), to: F.web),
            ]
        )
        #expect(result.bind == [F.ip(F.vip)])
        #expect(result.unbind.isEmpty)
    }

    @Test func unchangedStateWritesNothing() {
        let reals = [F.rs("10.244.0.10", 8080), F.rs("10.244.0.11", 8080)]
        let desired = DesiredState(
            virtualServers: [DesiredVirtualServer(server: F.vs(F.web), realServers: reals)],
            boundAddresses: [F.ip(F.vip)]
        )
        #expect(plan(desired, [F.state(F.vs(F.web), reals)]).isEmpty)
    }

    @Test(arguments: [
        (F.vs(F.web, "wlc"), "scheduler"),
        (F.vs(F.web, "rr", persistence: Persistence(timeout: 10800)), "persistence"),
    ])
    func changedConfigurationUpdatesTheVirtualServerOnly(changed: VirtualServer, what: String) {
        let reals = [F.rs("10.244.0.10", 8080)]
        let desired = DesiredState(
            virtualServers: [DesiredVirtualServer(server: changed, realServers: reals)],
            boundAddresses: [F.ip(F.vip)]
        )
        #expect(plan(desired, [F.state(F.vs(F.web), reals)]).operations == [.updateVirtualServer(changed)], "\(what)")
    }

    @Test func changedWeightUpdatesTheRealServer() {
        let desired = DesiredState(
            virtualServers: [
                DesiredVirtualServer(server: F.vs(F.web), realServers: [F.rs("10.244.0.10", 8080, weight: 5)])
            ],
            boundAddresses: [F.ip(F.vip)]
        )
        let actual = [F.state(F.vs(F.web), [F.rs("10.244.0.10", 8080)])]
        #expect(
            plan(desired, actual).operations == [.updateRealServer(F.rs("10.244.0.10", 8080, weight: 5), in: F.web)])
    }

    @Test func removedServiceOnTheLinkIsDeletedAndItsAddressUnbound() {
        let actual = [F.state(F.vs(F.web), [F.rs("10.244.0.10", 8080)])]
        let result = plan(DesiredState(), actual)
        #expect(result.operations == [.deleteVirtualServer(F.web)])
        #expect(result.unbind == [F.ip(F.vip)])
    }

    @Test(arguments: [
        (F.key(.tcp, "192.168.1.5", 80), "an address not on the proxy's link"),
        (F.key(.tcp, "192.168.1.5", 30080), "a node address with a port in the NodePort range, not in the record"),
        (VirtualServerKey.firewallMark(7, family: .ipv4), "a firewall mark"),
    ])
    func virtualServersTheProxyDoesNotOwnAreLeftAlone(key: VirtualServerKey, what: String) {
        let ownership = Ownership(linkAddresses: [F.ip(F.vip)])
        let result = plan(DesiredState(), [F.state(F.vs(key), [F.rs("10.0.0.1", 80)])], ownership: ownership)
        #expect(result.operations.isEmpty, "\(what)")
    }

    @Test func staleNodePortInTheRecordIsDeleted() {
        let key = F.key(.tcp, "192.168.1.5", 30080)
        let ownership = Ownership(record: OwnershipRecord(virtualServers: [key]))
        #expect(
            plan(DesiredState(), [F.state(F.vs(key), [])], ownership: ownership).operations == [
                .deleteVirtualServer(key)
            ])
    }

    @Test func operationsComeInASafeOrder() {
        let other = F.key(.tcp, F.vip, 443)
        let gone = F.key(.tcp, F.vip, 8443)
        let desired = DesiredState(
            virtualServers: [
                DesiredVirtualServer(server: F.vs(F.web), realServers: [F.rs("10.244.0.12", 8080)]),
                DesiredVirtualServer(server: F.vs(other), realServers: [F.rs("10.244.0.10", 8443)]),
            ],
            boundAddresses: [F.ip(F.vip)]
        )
        let actual = [
            F.state(F.vs(F.web), [F.rs("10.244.0.10", 8080)], connections: ["10.244.0.10": (1, 0)]),
            F.state(F.vs(gone), []),
        ]
        #expect(
            plan(desired, actual).operations == [
                .addVirtualServer(F.vs(other)),
                .addRealServer(F.rs("10.244.0.12", 8080), to: F.web),
                .addRealServer(F.rs("10.244.0.10", 8443), to: other),
                .updateRealServer(F.rs("10.244.0.10", 8080, weight: 0), in: F.web),
                .deleteVirtualServer(gone),
            ]
        )
    }

    @Test func scopedPassLooksOnlyAtWhatTheEventTouched() {
        let other = F.key(.tcp, F.vip, 443)
        let desired = DesiredState(
            virtualServers: [
                DesiredVirtualServer(server: F.vs(F.web), realServers: [F.rs("10.244.0.10", 8080)]),
                DesiredVirtualServer(server: F.vs(other), realServers: [F.rs("10.244.0.10", 8443)]),
            ],
            boundAddresses: [F.ip(F.vip)]
        )
        var termination = GracefulTermination()
        let result = plan(
            desired,
            [],
            scope: .only(virtualServers: [other], addresses: []),
            termination: &termination
        )
        #expect(
            result.operations == [.addVirtualServer(F.vs(other)), .addRealServer(F.rs("10.244.0.10", 8443), to: other)])
        #expect(result.bind.isEmpty)
    }
}

/// The shortcut for a virtual server whose real servers already match: it must agree with the general path.
@Suite struct PlannerMatchTests {
    let a = F.rs("10.244.0.10", 8080)
    let b = F.rs("10.244.0.11", 8080)

    func desired(_ reals: [RealServer]) -> RealServerTable { RealServerTable(reals) }

    func known(_ reals: [RealServer]) -> RealServerTable {
        KnownVirtualServer(server: F.vs(F.web), realServers: reals.map { KnownRealServer(server: $0) }).realServers
    }

    @Test func theSameRealServersInAnyOrderMatch() {
        #expect(known([b, a]) == desired([a, b]))
    }

    @Test func aChangedSettingOrAMissingOneDoesNot() {
        var heavier = b
        heavier.weight = 5
        #expect(known([a, heavier]) != desired([a, b]))
        #expect(known([a]) != desired([a, b]))
    }

    @Test func aLargeVirtualServerThatMatchesPlansNothing() {
        let reals = (0..<1_000).map { F.rs("10.244.\($0 / 200).\($0 % 200 + 1)", 8080) }
        let actual = KnownVirtualServer(
            server: F.vs(F.web), realServers: reals.reversed().map { KnownRealServer(server: $0) })
        var termination = GracefulTermination()
        let plan = Planner.plan(
            desired: DesiredState(virtualServers: [DesiredVirtualServer(server: F.vs(F.web), realServers: reals)]),
            actual: [F.web: actual], ownership: Ownership(linkAddresses: [F.ip(F.vip)]), termination: &termination,
            now: F.t0)
        #expect(plan.operations.isEmpty)
    }

    @Test func aMatchingVirtualServerForgetsItsDrainingEntriesAsTheGeneralPathDoes() {
        // b is draining (weight 0, connections left), then wanted again at weight 0 with the same settings:
        // nothing is planned and its drain deadline is forgotten.
        var drained = b
        drained.weight = 0
        var termination = GracefulTermination()
        let actual = KnownVirtualServer(
            server: F.vs(F.web),
            realServers: [KnownRealServer(server: a), KnownRealServer(server: drained, activeConnections: 3)])
        let wantedAll = DesiredState(virtualServers: [DesiredVirtualServer(server: F.vs(F.web), realServers: [a])])
        _ = Planner.plan(
            desired: wantedAll, actual: [F.web: actual], ownership: Ownership(linkAddresses: [F.ip(F.vip)]),
            termination: &termination, now: F.t0)
        #expect(termination.pendingCount == 1)
        let wantedBoth = DesiredState(
            virtualServers: [DesiredVirtualServer(server: F.vs(F.web), realServers: [a, drained])])
        let plan = Planner.plan(
            desired: wantedBoth, actual: [F.web: actual], ownership: Ownership(linkAddresses: [F.ip(F.vip)]),
            termination: &termination, now: F.t0)
        #expect(plan.operations.isEmpty)
        #expect(termination.pendingCount == 0)
    }
}
