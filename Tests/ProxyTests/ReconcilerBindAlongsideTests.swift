import Foundation
import IPVS
import Logging
import TestSupport
import Testing
import Values

@testable import Proxy

/// A pass with addresses to bind and IPVS operations to apply sends the two batches at once: each fake below waits
/// for the other to have started, so run one after the other they would time out.
@Suite struct ReconcilerBindAlongsideTests {
    /// Both batches' starts, each signalled once it is under way.
    final class Rendezvous: Sendable {
        let kernelStarted = DispatchSemaphore(value: 0)
        let linkStarted = DispatchSemaphore(value: 0)
        let overlaps = Locked<[String]>([])

        func meet(_ mine: DispatchSemaphore, _ other: DispatchSemaphore, _ who: String) {
            mine.signal()
            if other.wait(timeout: .now() + 30) == .success { overlaps.withLock { $0.append(who) } }
        }
    }

    struct MeetingLink: VIPLink {
        let base: FakeLink
        let rendezvous: Rendezvous
        func ensure() throws -> Bool { try base.ensure() }
        func delete() throws { try base.delete() }
        func addresses() throws -> [IPAddress] { try base.addresses() }
        func add(_ address: IPAddress) throws { try base.add(address) }
        func remove(_ address: IPAddress) throws { try base.remove(address) }
        func add(_ addresses: [IPAddress]) throws -> [Result<Void, IPVSError>] {
            rendezvous.meet(rendezvous.linkStarted, rendezvous.kernelStarted, "link")
            return try base.add(addresses)
        }
        func remove(_ addresses: [IPAddress]) throws -> [Result<Void, IPVSError>] { try base.remove(addresses) }
    }

    @Test func addressesAreBoundWhileTheIPVSBatchIsApplied() async throws {
        let kernel = FakeKernel()
        let link = FakeLink()
        let rendezvous = Rendezvous()
        let vips = ["10.96.0.10", "10.96.0.11"].map(F.ip)
        let state = DesiredState(
            virtualServers: vips.map {
                DesiredVirtualServer(server: F.vs(F.key(.tcp, "\($0)", 80)), realServers: [F.rs("10.244.0.10", 8080)])
            },
            boundAddresses: Set(vips))
        // The pass blocks until both batches met, so it runs on a thread of its own, not the cooperative pool's.
        let outcome = await DedicatedThread.run(name: "pass", within: .seconds(120)) {
            var reconciler = Reconciler(
                kernel: HookedKernel(kernel) { _ in
                    rendezvous.meet(rendezvous.kernelStarted, rendezvous.linkStarted, "kernel")
                },
                link: MeetingLink(base: link, rendezvous: rendezvous), logger: Logger(label: "test"))
            return Result { () throws -> (SyncReport, Set<IPAddress>) in
                try reconciler.adopt()
                let report = reconciler.sync(state)
                return (report, reconciler.actual.linkAddresses)
            }
        }
        let (report, linkAddresses) = try #require(outcome).get()
        #expect(Set(rendezvous.overlaps.withLock { $0 }) == ["kernel", "link"])
        #expect(report.succeeded)
        #expect(kernel.applied.count == 4)
        #expect(link.addressSet == Set(vips))
        #expect(linkAddresses == Set(vips))
        #expect(report.timing.bind > .zero)
    }
}
