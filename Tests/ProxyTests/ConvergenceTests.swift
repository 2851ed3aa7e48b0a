import Values
import IPVS
import Testing

@testable import Proxy

/// Applying a plan to the state it was made from and planning again must give nothing more to do: the planner
/// and the actual-state bookkeeping agree on what every operation does.
@Suite struct ConvergenceTests {
    /// A small deterministic generator, so a failure names its seed.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    func randomServers(_ generator: inout Generator) -> [DesiredVirtualServer] {
        let schedulers: [Scheduler] = ["rr", "wlc", "sh", "mh"]
        var servers: [DesiredVirtualServer] = []
        for index in 0..<generator.next(6) {
            let key = F.key(generator.next(2) == 0 ? .tcp : .udp, "10.96.0.\(1 + generator.next(3))", UInt16(80 + index))
            let reals = (0..<generator.next(5)).map { _ in
                F.rs("10.244.0.\(10 + generator.next(8))", 8080, weight: Int32(1 + generator.next(3)))
            }
            servers.append(
                DesiredVirtualServer(server: F.vs(key, schedulers[generator.next(schedulers.count)]), realServers: reals)
            )
        }
        return servers
    }

    @Test(arguments: 1...200)
    func applyingAPlanConverges(seed: Int) {
        var generator = Generator(state: UInt64(seed))
        let vips: Set<IPAddress> = [F.ip("10.96.0.1"), F.ip("10.96.0.2"), F.ip("10.96.0.3")]
        let before = randomServers(&generator)
        let desired = DesiredState(virtualServers: randomServers(&generator), boundAddresses: vips)
        var actual = ActualState(
            virtualServers: before.map { wanted in
                VirtualServerState(
                    server: wanted.server,
                    realServers: wanted.realServers.values.map { RealServerState(server: $0) }
                )
            },
            linkAddresses: vips
        )
        // With no connections, departing real servers are drained on the first pass and deleted on the second.
        var termination = GracefulTermination()
        for pass in 0..<2 {
            // As the reconciler does: the draining virtual servers due are read (here, `actual` is the kernel).
            termination.checked(termination.due(now: F.t0 + .seconds(pass)), now: F.t0 + .seconds(pass))
            let plan = Planner.plan(
                desired: desired,
                actual: actual.virtualServers,
                ownership: Ownership(linkAddresses: actual.linkAddresses),
                termination: &termination,
                now: F.t0 + .seconds(pass)
            )
            for operation in plan.operations { actual.record(operation) }
        }
        let final = Planner.plan(
            desired: desired,
            actual: actual.virtualServers,
            ownership: Ownership(linkAddresses: actual.linkAddresses),
            termination: &termination,
            now: F.t0 + .seconds(2)
        )
        #expect(final.isEmpty, "seed \(seed): \(final)")
        #expect(termination.pendingCount == 0, "seed \(seed)")
    }
}
