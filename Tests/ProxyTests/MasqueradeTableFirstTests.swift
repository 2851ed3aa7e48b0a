import Values
import IPVS
import Kube
import Logging
import NFTables
import ServiceLifecycle
import TestSupport
import Testing

@testable import Proxy

/// The nftables table exists before the first pass programs anything: its rules use conntrack, which the kernel
/// starts only once a rule needs it, and a connection balanced before that breaks when tracking begins (the
/// draining-connection lab test found it).
@Suite struct MasqueradeTableFirstTests {
    /// An `nft` that notes how many virtual servers the kernel held when each script ran.
    final class Witness: NFTablesRunner {
        let nft = FakeNFTables()
        let kernel: FakeKernel
        let seen = Locked<[Int]>([])
        init(kernel: FakeKernel) { self.kernel = kernel }
        func run(_ script: String) async throws(NFTablesError) {
            let count = kernel.table.count
            seen.withLock { $0.append(count) }
            try await nft.run(script)
        }
        func mark(ofTable name: String) async throws(NFTablesError) -> String? { try await nft.mark(ofTable: name) }
    }

    @Test func aMissingTableIsCreatedBeforeTheFirstPassAndFilledByIt() async throws {
        let (stream, source) = AsyncStream.makeStream(of: SourceEvent.self)
        let spec = "  clusterIP: 10.96.0.10\n  ports:\n  - {name: http, protocol: TCP, port: 80}"
        source.yield(.change(.upsert(.service(try Objects.web(spec: spec)))))
        source.yield(.synced)
        let kernel = FakeKernel()
        let witness = Witness(kernel: kernel)
        let service = ProxyService(
            events: stream,
            reconciler: Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test")),
            configuration: ProxyConfiguration(),
            masquerade: MasqueradeSync(configuration: MasqueradeConfiguration(), nft: witness),
            logger: Logger(label: "test"))
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await waitFor { witness.nft.scripts.count >= 2 }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let scripts = witness.nft.scripts
        #expect(scripts.count == 2, "\(scripts)")
        // The fill goes beside the first pass (FirstPassAnnouncementTests), so it may see the virtual server or not.
        #expect(witness.seen.withLock { $0 }.first == 0, "the table came before the kernel's first virtual server")
        #expect(scripts.first?.contains("chain postrouting") == true)
        #expect(scripts.first?.contains("elements") == false, "created empty: \(scripts.first ?? "")")
        #expect(scripts.last?.contains("10.96.0.10 . tcp . 80") == true, "the first pass fills it")
    }

    @Test func aTableAlreadyThereIsLeftToTheFirstPass() async {
        let nft = FakeNFTables()
        var sync = MasqueradeSync(configuration: MasqueradeConfiguration(), nft: nft)
        #expect(await sync.prepare() == .replaced(elements: 0))
        #expect(nft.scripts.count == 1)
        #expect(await sync.prepare() == .unchanged, "there now: nothing run")
        #expect(nft.scripts.count == 1)
        nft.refuse(true)
        nft.dropTable()
        guard case .failed = await sync.prepare() else {
            Issue.record("a refused script is a failure")
            return
        }
    }
}
