import IPVS
import Logging
import TestSupport
import Testing

@testable import Proxy

@Suite struct ReconcilerTests {
    let logger = Logger(label: "test")
    let reals = [F.rs("10.244.0.10", 8080), F.rs("10.244.0.11", 8080)]

    var desired: DesiredState {
        DesiredState(
            virtualServers: [DesiredVirtualServer(server: F.vs(F.web), realServers: reals)],
            boundAddresses: [F.ip(F.vip)]
        )
    }

    @Test func firstSyncProgramsEverythingAndASecondWritesNothing() throws {
        let kernel = FakeKernel()
        let link = FakeLink()
        var reconciler = Reconciler(kernel: kernel, link: link, logger: logger)
        try reconciler.adopt()
        let report = reconciler.sync(desired)
        #expect(report.succeeded)
        #expect(kernel.applied.count == 3)
        #expect(try link.addresses() == [F.ip(F.vip)])
        #expect(reconciler.sync(desired).plan.isEmpty)
        #expect(kernel.applied.count == 3)
    }

    @Test func addressesGoToTheLinkAsOneBatchAndARefusedOneIsRetried() throws {
        let kernel = FakeKernel()
        let link = FakeLink()
        let vips = ["10.96.0.10", "10.96.0.11", "10.96.0.12"].map(F.ip)
        let state = DesiredState(
            virtualServers: vips.map { DesiredVirtualServer(server: F.vs(F.key(.tcp, "\($0)", 80)), realServers: []) },
            boundAddresses: Set(vips))
        var reconciler = Reconciler(kernel: kernel, link: link, logger: logger)
        try reconciler.adopt()
        link.refuse([vips[1]])
        let first = reconciler.sync(state)
        #expect(link.batches == 1)
        #expect(link.singles == 0)
        #expect(Set(first.addressFailures.keys) == [vips[1]])
        #expect(link.addressSet == [vips[0], vips[2]])
        link.refuse([])
        let second = reconciler.sync(state)
        #expect(second.plan.bind == [vips[1]])
        #expect(second.succeeded)
        #expect(link.addressSet == Set(vips))
        let gone = reconciler.sync(DesiredState())
        #expect(Set(gone.plan.unbind) == Set(vips))
        #expect(link.addressSet.isEmpty)
        #expect(link.batches == 3)
    }

    @Test func aBatchThatCannotBeSentFailsEveryAddressOfIt() throws {
        let kernel = FakeKernel()
        let link = FakeLink()
        var reconciler = Reconciler(kernel: kernel, link: link, logger: logger)
        try reconciler.adopt()
        link.breakSocket(true)
        let report = reconciler.sync(desired)
        #expect(Set(report.addressFailures.keys) == [F.ip(F.vip)])
        #expect(report.addressFailures[F.ip(F.vip)]?.code == .transport)
        #expect(reconciler.actual.linkAddresses.isEmpty)
        link.breakSocket(false)
        #expect(reconciler.sync(desired).plan.bind == [F.ip(F.vip)])
        #expect(link.addressSet == [F.ip(F.vip)])
    }

    @Test func restartWithUnchangedObjectsWritesNothing() throws {
        let kernel = FakeKernel([F.state(F.vs(F.web), reals)])
        let link = FakeLink(addresses: [F.ip(F.vip)])
        var reconciler = Reconciler(kernel: kernel, link: link, logger: logger)
        try reconciler.adopt()
        #expect(reconciler.sync(desired).plan.isEmpty)
        #expect(kernel.applied.isEmpty)
        #expect(link.writes == 0)
    }

    @Test func aRefusedOperationDoesNotStopTheOthersAndIsRetried() throws {
        let kernel = FakeKernel()
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: logger)
        try reconciler.adopt()
        let refused = IPVSOperation.addRealServer(F.rs("10.244.0.10", 8080), to: F.web)
        kernel.refuse(refused)
        let first = reconciler.sync(desired, now: F.t0)
        #expect(Array(first.failures.keys) == [refused])
        #expect(kernel.table[F.web]?.realServers.map(\.server) == [F.rs("10.244.0.11", 8080)])
        kernel.allow(refused)
        // A scoped pass that touches nothing still retries what failed, once its backoff has passed.
        let second = reconciler.sync(desired, scope: .only(virtualServers: [], addresses: []), now: F.t0 + .seconds(1))
        #expect(second.plan.operations == [refused])
        #expect(second.succeeded)
    }

    @Test func driftRepairedByTheNextFullPassAfterARead() throws {
        let kernel = FakeKernel()
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: logger)
        try reconciler.adopt()
        _ = reconciler.sync(desired)
        _ = kernel.apply([.deleteVirtualServer(F.web)])  // deleted by hand
        try reconciler.adopt()
        #expect(reconciler.sync(desired).plan.operations.first == .addVirtualServer(F.vs(F.web)))
        #expect(kernel.table[F.web]?.realServers.count == 2)
    }

    @Test func foreignVirtualServersSurviveEveryPass() throws {
        let foreign = F.state(F.vs(F.key(.tcp, "192.168.7.7", 80)), [F.rs("10.1.1.1", 80)])
        let kernel = FakeKernel([foreign])
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: logger)
        try reconciler.adopt()
        _ = reconciler.sync(desired)
        _ = reconciler.sync(DesiredState())
        #expect(kernel.table[foreign.server.key] == foreign)
        #expect(kernel.table[F.web] == nil)
    }

    @Test func planPrintsWithoutChangingAnything() throws {
        let kernel = FakeKernel()
        let link = FakeLink()
        var reconciler = Reconciler(kernel: kernel, link: link, logger: logger)
        try reconciler.adopt()
        let plan = reconciler.plan(desired)
        #expect(plan.operations.count == 3)
        #expect(plan.bind == [F.ip(F.vip)])
        #expect(kernel.applied.isEmpty)
        #expect(link.writes == 0)
    }
}

extension ReconcilerTests {
    @Test func readOnlyAdoptionDoesNotCreateTheLink() throws {
        let link = FakeLink(exists: false)
        var reconciler = Reconciler(kernel: FakeKernel(), link: link, logger: logger)
        try reconciler.adopt(readOnly: true)
        #expect(!link.exists)
        try reconciler.adopt()
        #expect(link.exists)
    }
}
