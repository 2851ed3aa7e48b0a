import IPVS
import Logging
import TestSupport
import Testing

@testable import Proxy

/// How often the reconciler reads draining virtual servers back from the kernel: once per check interval however
/// many passes run, and not at all once nothing drains (a real server deleted behind its back included).
@Suite struct DrainingReadTests {
    let logger = Logger(label: "test")
    let a = F.rs("10.244.0.10", 8080)
    let b = F.rs("10.244.0.11", 8080)

    func desired(_ reals: [RealServer]) -> DesiredState {
        DesiredState(
            virtualServers: [DesiredVirtualServer(server: F.vs(F.web), realServers: reals)],
            boundAddresses: [F.ip(F.vip)])
    }

    @Test func manyPassesReadADrainingVirtualServerOncePerInterval() throws {
        let kernel = FakeKernel()
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: logger)
        try reconciler.adopt()
        let t0 = F.t0
        #expect(reconciler.sync(desired([a, b]), now: t0).succeeded)
        kernel.setConnections(b.endpoint, of: F.web, active: 1)
        let drain = reconciler.sync(desired([a]), now: t0)
        #expect(drain.plan.operations == [.updateRealServer(F.rs("10.244.0.11", 8080, weight: 0), in: F.web)])
        let before = kernel.singleReads
        // Ten passes within one interval (as a stream of events would run them): no read.
        for tenth in 1...9 { _ = reconciler.sync(desired([a]), now: t0 + .milliseconds(100 * tenth)) }
        #expect(kernel.singleReads == before)
        #expect(!reconciler.hasDrainingDue(now: t0 + .milliseconds(900)))
        // Once the interval has passed: one read, which finds the connection still open.
        #expect(reconciler.hasDrainingDue(now: t0 + .seconds(1)))
        #expect(reconciler.sync(desired([a]), now: t0 + .seconds(1)).plan.operations.isEmpty)
        #expect(kernel.singleReads == before + 1)
        #expect(reconciler.termination.pendingCount == 1)
        // The connection ends: the next due read deletes it, and nothing is left to read.
        kernel.setConnections(b.endpoint, of: F.web, active: 0)
        let done = reconciler.sync(desired([a]), now: t0 + .seconds(2))
        #expect(done.plan.operations == [.deleteRealServer(b.endpoint, from: F.web)])
        #expect(reconciler.termination.pendingCount == 0)
        #expect(!reconciler.hasDrainingDue(now: t0 + .seconds(60)))
    }

    @Test func aDrainingRealServerDeletedByHandLeavesNothingToRead() throws {
        let kernel = FakeKernel()
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: logger)
        try reconciler.adopt()
        let t0 = F.t0
        _ = reconciler.sync(desired([a, b]), now: t0)
        kernel.setConnections(b.endpoint, of: F.web, active: 1)
        _ = reconciler.sync(desired([a]), now: t0)
        #expect(reconciler.termination.pendingCount == 1)
        // Someone runs `ipvsadm -d` on the drained real server.
        #expect(kernel.apply([.deleteRealServer(b.endpoint, from: F.web)]).allSatisfy { (try? $0.get()) != nil })
        let pass = reconciler.sync(desired([a]), now: t0 + .seconds(1))
        #expect(pass.plan.operations.isEmpty)
        #expect(reconciler.termination.pendingCount == 0)
        let reads = kernel.singleReads
        for second in 2...5 { _ = reconciler.sync(desired([a]), now: t0 + .seconds(second)) }
        #expect(kernel.singleReads == reads)
        #expect(!reconciler.hasDrainingDue(now: t0 + .seconds(60)))
    }
}
