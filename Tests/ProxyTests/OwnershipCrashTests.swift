import Foundation
import IPVS
import Logging
import TestSupport
import Values
import Testing

@testable import Proxy

/// The ownership record survives a `kill -9` at any moment of a pass: what the kernel is asked to create is saved as
/// the proxy's before it is asked, so a restart never takes a virtual server the proxy made (a NodePort on a node
/// address, which its link does not hold) for another program's.
@Suite struct OwnershipCrashTests {
    static let nodePort = OwnershipTests.nodePort

    /// An in-memory store keeping every record saved, in order.
    final class Saves: OwnershipStore {
        private let saved = Locked<[OwnershipRecord]>([])
        var all: [OwnershipRecord] { saved.withLock { $0 } }
        var last: OwnershipRecord? { all.last }
        func save(_ record: OwnershipRecord) throws { saved.withLock { $0.append(record) } }
    }

    /// A kernel that notes, at each batch's answer, what the store held: what a restart reads when the process is
    /// killed right after the kernel answered, before anything else ran.
    final class AnsweringKernel: IPVSKernel {
        let kernel: FakeKernel
        let saves: Saves
        private let atAnswer = Locked<[OwnershipRecord?]>([])
        var recordsAtAnswer: [OwnershipRecord?] { atAnswer.withLock { $0 } }
        init(_ kernel: FakeKernel, saves: Saves) {
            self.kernel = kernel
            self.saves = saves
        }
        func version() throws -> IPVSVersion { try kernel.version() }
        func virtualServers() throws -> [VirtualServerState] { try kernel.virtualServers() }
        func virtualServer(_ key: VirtualServerKey) throws -> VirtualServerState? { try kernel.virtualServer(key) }
        func flush() throws { try kernel.flush() }
        func timeouts() throws -> IPVSTimeouts { try kernel.timeouts() }
        func setTimeouts(_ timeouts: IPVSTimeouts) throws { try kernel.setTimeouts(timeouts) }
        func apply(_ operations: [IPVSOperation]) -> [Result<Void, IPVSError>] {
            let results = kernel.apply(operations)
            let last = saves.last
            atAnswer.withLock { $0.append(last) }
            return results
        }
    }

    /// Restarts on `kernel` from `record`, and returns the reconciler after its adoption.
    static func restart(_ kernel: FakeKernel, record: OwnershipRecord?) throws -> Reconciler {
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), record: record, logger: Logger(label: "test"))
        try reconciler.adopt()
        return reconciler
    }

    @Test func aNodePortCreatedJustBeforeAKillIsStillTheProxysAfterTheRestart() throws {
        let fake = FakeKernel()
        let saves = Saves()
        let kernel = AnsweringKernel(fake, saves: saves)
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), store: saves, logger: Logger(label: "test"))
        try reconciler.adopt()
        let beforeThePass = try #require(saves.last, "the first read saved the record")
        #expect(reconciler.sync(OwnershipTests.wanting(Self.nodePort)).succeeded)
        #expect(fake.table[Self.nodePort] != nil)

        let atAnswer = try #require(kernel.recordsAtAnswer.first ?? nil)
        #expect(atAnswer.virtualServers.contains(Self.nodePort), "saved before the kernel was asked")
        var restarted = try Self.restart(fake, record: atAnswer)
        #expect(restarted.record.foreign.isEmpty)
        #expect(restarted.ownership.owns(Self.nodePort))
        let report = restarted.sync(OwnershipTests.wanting(Self.nodePort))
        #expect(report.plan.isEmpty, "the restart writes nothing")
        #expect(restarted.heldByOthers.isEmpty)

        // Without the early save, the record on disk at that moment would be the one before the pass: the restart
        // would then take the proxy's own NodePort for another program's.
        let stale = try Self.restart(fake, record: beforeThePass)
        #expect(stale.record.foreign == [Self.nodePort])
    }

    @Test func aCreationTheKernelRefusesIsDroppedFromTheRecordAfterThePass() throws {
        let fake = FakeKernel()
        let desired = OwnershipTests.wanting(Self.nodePort)
        let server = try #require(desired.virtualServers[Self.nodePort]?.server)
        fake.refuse(.addVirtualServer(server))
        let saves = Saves()
        var reconciler = Reconciler(kernel: fake, link: FakeLink(), store: saves, logger: Logger(label: "test"))
        try reconciler.adopt()
        let report = reconciler.sync(desired)
        #expect(!report.succeeded)
        #expect(saves.all.contains { $0.virtualServers.contains(Self.nodePort) }, "claimed before the kernel was asked")
        #expect(saves.last?.virtualServers.contains(Self.nodePort) == false, "and dropped once it refused")
        #expect(saves.last == reconciler.record)
    }

    @Test func onlyPassesThatChangeTheRecordSaveIt() throws {
        let saves = Saves()
        let kernel = FakeKernel([F.state(F.vs(F.key(.tcp, "192.168.1.7", 30081), "rr"), [])])
        var reconciler = Reconciler(
            kernel: kernel, link: FakeLink(), record: OwnershipRecord(), store: saves, logger: Logger(label: "t"))
        try reconciler.adopt(readOnly: true)
        #expect(saves.all.isEmpty, "a read-only adoption (plan, cleanup) saves nothing")
        try kernel.flush()
        try reconciler.adopt()
        #expect(saves.all.isEmpty, "the record read at start is what the store holds")
        let desired = OwnershipTests.wanting(Self.nodePort)
        _ = reconciler.sync(desired)
        #expect(saves.all.count == 1, "the claim before the kernel was asked; the record after the pass is the same")
        #expect(saves.all.allSatisfy { $0.virtualServers == [Self.nodePort] })
        var moved = desired
        let other = F.rs("10.244.0.2", 8080)
        moved.virtualServers[Self.nodePort]?.realServers = [other.endpoint: other]
        _ = reconciler.sync(moved)
        try reconciler.adopt()
        _ = reconciler.sync(moved)
        #expect(saves.all.count == 1, "real server changes and re-reads leave the record as it is")
        _ = reconciler.sync(DesiredState())
        #expect(saves.last == OwnershipRecord(), "a deleted virtual server leaves the record")
    }
}
