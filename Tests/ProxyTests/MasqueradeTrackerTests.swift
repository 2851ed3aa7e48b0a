import Values
import IPVS
import Kube
import Testing

@testable import Proxy

@Suite struct MasqueradeTrackerTests {
    let configuration = MasqueradeConfiguration(clusterCIDRs: [AddressPrefix("10.244.0.0/16")].compactMap { $0 })

    func server(_ key: VirtualServerKey, _ role: VirtualServerRole, _ reals: [String]) -> DesiredVirtualServer {
        DesiredVirtualServer(server: F.vs(key), realServers: reals.map { F.rs($0, 8080) }, role: role)
    }

    @Test func aVirtualServerContributesItsRuleAndAHairpinElementPerEndpoint() {
        let tracker = MasqueradeTracker(configuration: configuration)
        let node = F.key(.tcp, "192.168.1.5", 30080)
        #expect(
            tracker.contribution(of: server(node, .nodePort(.cluster), ["10.244.0.10", "10.244.0.11"])) == [
                .always(.tcp, F.ip("192.168.1.5"), port: 30080), .hairpin(F.ip("10.244.0.10")),
                .hairpin(F.ip("10.244.0.11")),
            ])
        #expect(tracker.contribution(of: server(node, .nodePort(.local), [])) == [])
        #expect(tracker.contribution(of: server(.firewallMark(7, family: .ipv4), .clusterIP, [])) == [])
    }

    @Test func anEndpointSharedByTwoVirtualServersLeavesTheHairpinSetWithTheLastOne() {
        var tracker = MasqueradeTracker(configuration: configuration)
        let dns = server(F.dns, .clusterIP, ["10.244.0.10"])
        let web = server(F.web, .clusterIP, ["10.244.0.10", "10.244.0.11"])
        var desired = DesiredState(virtualServers: [dns, web])
        tracker.update([F.dns, F.web], in: desired)
        let hairpin = MasqueradeElement.hairpin(F.ip("10.244.0.10"))
        #expect(tracker.elements.contains(hairpin))
        #expect(tracker.takePending().added.count == 6)

        desired.virtualServers[F.web] = nil
        tracker.update([F.web], in: desired)
        let first = tracker.takePending()
        #expect(
            first.removed == [
                .fromOutside(.tcp, F.ip(F.vip), port: 80), .vipPort(.tcp, F.ip(F.vip), port: 80),
                .hairpin(F.ip("10.244.0.11")),
            ])
        #expect(first.added.isEmpty)
        #expect(tracker.elements.contains(hairpin), "dns still has it")

        desired.virtualServers[F.dns] = nil
        tracker.update([F.dns], in: desired)
        #expect(
            tracker.takePending().removed == [
                .fromOutside(.udp, F.ip(F.vip), port: 53), .vipPort(.udp, F.ip(F.vip), port: 53), hairpin,
            ])
        #expect(tracker.elements.isEmpty)
    }

    @Test func anIPv6EndpointIsCountedAsAnIPv4OneIs() {
        var tracker = MasqueradeTracker(configuration: configuration)
        let web6 = F.key(.tcp, "fd00:96::10", 80)
        let dns6 = F.key(.udp, "fd00:96::10", 53)
        var desired = DesiredState(virtualServers: [
            server(web6, .clusterIP, ["fd00:244::10", "fd00:244::11", "10.244.0.10"]),
            server(dns6, .clusterIP, ["fd00:244::10"]),
        ])
        tracker.update([web6, dns6], in: desired)
        let shared = MasqueradeElement.hairpin(F.ip("fd00:244::10"))
        let hairpins = tracker.takePending().added.filter { if case .hairpin = $0 { true } else { false } }
        #expect(hairpins == Set([shared, .hairpin(F.ip("fd00:244::11")), .hairpin(F.ip("10.244.0.10"))]))
        #expect(tracker.elementCount == tracker.elements.count)

        desired.virtualServers[web6] = nil
        tracker.update([web6], in: desired)
        let removed = tracker.takePending().removed
        #expect(removed.contains(.hairpin(F.ip("fd00:244::11"))) && removed.contains(.hairpin(F.ip("10.244.0.10"))))
        #expect(!removed.contains(shared) && tracker.elements.contains(shared), "dns6 still has it")

        desired.virtualServers[dns6] = nil
        tracker.update([dns6], in: desired)
        #expect(tracker.takePending().removed.contains(shared))
        #expect(tracker.elements.isEmpty && tracker.elementCount == 0)
    }

    @Test func changesThatCancelOutLeaveNothingPending() {
        var tracker = MasqueradeTracker(configuration: configuration)
        let web = server(F.web, .clusterIP, ["10.244.0.10"])
        tracker.update([F.web], in: DesiredState(virtualServers: [web]))
        _ = tracker.takePending()
        tracker.update([F.web], in: DesiredState())
        tracker.update([F.web], in: DesiredState(virtualServers: [web]))
        #expect(tracker.pending.isEmpty)
        #expect(tracker.elements.count == 3)
    }

    /// While the sets are to be written whole (`recordsPending` off), the elements follow every update but nothing is
    /// recorded; recording on again, the next changes are.
    @Test func anUpdateNotRecordingKeepsTheElementsAndRecordsNothing() {
        var tracker = MasqueradeTracker(configuration: configuration)
        tracker.recordsPending = false
        let web = server(F.web, .clusterIP, ["10.244.0.10"])
        tracker.rebuild(from: DesiredState(virtualServers: [web]))
        #expect(tracker.pending.isEmpty)
        #expect(tracker.elements.count == 3)
        tracker.recordsPending = true
        tracker.update([F.web], in: DesiredState())
        #expect(tracker.takePending().removed.count == 3)
        #expect(tracker.elements.isEmpty)
    }

    @Test func anUpdateLooksOnlyAtTheKeysItIsGiven() {
        var tracker = MasqueradeTracker(configuration: configuration)
        let desired = DesiredState(virtualServers: [server(F.web, .clusterIP, []), server(F.dns, .clusterIP, [])])
        tracker.update([F.web], in: desired)
        #expect(tracker.elements == [.fromOutside(.tcp, F.ip(F.vip), port: 80), .vipPort(.tcp, F.ip(F.vip), port: 80)])
        tracker.rebuild(from: desired)
        #expect(tracker.elements.count == 4)
        tracker.rebuild(from: DesiredState())
        #expect(tracker.elements.isEmpty, "a full pass withdraws what is gone")
    }

    /// Every element the sets must hold, computed from the whole state (the oracle).
    func wholeState(_ tracker: MasqueradeTracker, _ desired: DesiredState) -> Set<MasqueradeElement> {
        var elements = Set(desired.boundAddresses.map { MasqueradeElement.vip($0) })
        for server in desired.virtualServers.values { elements.formUnion(tracker.contribution(of: server)) }
        return elements
    }

    /// Over a run of states, each a change from the last (roles, endpoints, VIPs, health-check node ports, source
    /// ranges; virtual servers come and go), the tracker's elements and count are the whole state's, and the deltas
    /// it records, applied in turn, give the same sets.
    @Test func theElementsAndTheDeltasFollowTheWholeState() {
        var tracker = MasqueradeTracker(configuration: configuration)
        let lb = F.key(.tcp, "203.0.113.7", 443)
        let node = F.key(.tcp, "192.168.1.5", 30080)
        var guarded = server(lb, .external(.cluster), ["10.244.0.10", "10.244.0.12"])
        guarded.sourceRanges = SourceRanges([AddressPrefix("192.0.2.0/24")].compactMap { $0 }, admitsNode: false)
        guarded.healthCheckNodePort = 32001
        var states: [DesiredState] = []
        var desired = DesiredState(
            virtualServers: [
                server(F.web, .clusterIP, ["10.244.0.10", "10.244.0.11"]), server(F.dns, .clusterIP, ["10.244.0.10"]),
            ],
            boundAddresses: [F.ip(F.vip)])
        states.append(desired)
        desired.virtualServers[lb] = guarded
        desired.virtualServers[node] = server(node, .nodePort(.cluster), ["10.244.0.12"])
        desired.boundAddresses.insert(F.ip("203.0.113.7"))
        states.append(desired)
        desired.virtualServers[F.web]?.role = .external(.local)
        desired.virtualServers[node]?.role = .nodePort(.local)
        desired.virtualServers[lb]?.sourceRanges = SourceRanges([], admitsNode: true)
        states.append(desired)
        desired.virtualServers[F.dns] = nil
        desired.virtualServers[lb]?.healthCheckNodePort = nil
        desired.boundAddresses.remove(F.ip(F.vip))
        states.append(desired)
        states.append(DesiredState())
        var written: Set<MasqueradeElement> = []
        for (index, state) in states.enumerated() {
            if index % 2 == 0 {
                tracker.rebuild(from: state)
            } else {
                let before = states[index - 1]
                tracker.update(
                    Set(before.virtualServers.keys).union(state.virtualServers.keys),
                    addresses: before.boundAddresses.union(state.boundAddresses), in: state)
            }
            let whole = wholeState(tracker, state)
            #expect(tracker.elements == whole, "state \(index)")
            #expect(tracker.elementCount == whole.count, "state \(index)")
            let delta = tracker.takePending()
            written.subtract(delta.removed)
            written.formUnion(delta.added)
            #expect(written == whole, "state \(index)")
        }
    }
}
