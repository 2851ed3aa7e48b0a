import Foundation
import IPVS
import Kube
import Logging
import NFTables
import ServiceLifecycle
import TestSupport
import Testing
import Values

@testable import Proxy

/// On a node whose kernel holds nothing of the proxy's, the initial state is programmed as it arrives, additions
/// only, ahead of the first full pass (``ReconcileLoop/passAhead(now:cost:)``); the first full pass does the rest.
@Suite struct ProgramAheadTests {
    static let spec = ResyncSliceTests.spec

    func loop(_ kernel: FakeKernel, _ link: FakeLink) throws -> ReconcileLoop {
        var reconciler = Reconciler(kernel: kernel, link: link, logger: Logger(label: "test"))
        try reconciler.adopt()
        var loop = ReconcileLoop(
            reconciler: reconciler, tracker: DesiredStateTracker(configuration: ProxyConfiguration()),
            syncPeriod: .seconds(30))
        loop.adopted = true
        loop.programsAhead = ReconcileLoop.mayProgramAhead(loop.reconciler)
        return loop
    }

    static func ahead(_ outcome: ReconcileLoop.Outcome) -> [PassReport] {
        outcome.reports.compactMap { if case .passAhead(let pass) = $0 { pass } else { nil } }
    }

    static func slice(_ addresses: [String]) throws -> Inbox.Input {
        .event(.change(.upsert(.endpointSlice(try ResyncSliceTests.slice(addresses)))))
    }

    @Test func theInitialStateIsAddedAsItArrivesAndTheFirstFullPassDoesTheRest() throws {
        let (kernel, link) = (FakeKernel(), FakeLink())
        var loop = try loop(kernel, link)
        #expect(loop.programsAhead)
        let service = Inbox.Input.event(.change(.upsert(.service(try Objects.web(spec: Self.spec)))))
        let first = try loop.handle([service, try Self.slice(["10.244.0.10", "10.244.0.11"])], now: F.t0)
        #expect(!first.firstSyncDone)
        #expect(Self.ahead(first).count == 1)
        #expect(Self.ahead(first).first?.touched == [F.web, F.dns])
        #expect(ResyncSliceTests.reals(kernel, F.web) == ["10.244.0.10", "10.244.0.11"])
        #expect(link.addressSet == [F.ip(F.vip)])
        #expect(!first.reports.contains { if case .pass = $0 { true } else { false } }, "no pass of the whole state")

        // Before the list ends the slice loses .10 and gains .12: only the addition goes ahead.
        let second = try loop.handle([try Self.slice(["10.244.0.11", "10.244.0.12"])], now: F.t0)
        let operations = Self.ahead(second).flatMap(\.sync.plan.operations)
        #expect(operations.count == 2, "\(operations)")
        #expect(operations.allSatisfy { if case .addRealServer = $0 { true } else { false } })
        #expect(ResyncSliceTests.reals(kernel, F.web) == ["10.244.0.10", "10.244.0.11", "10.244.0.12"])

        // A batch with nothing touched runs no pass.
        #expect(Self.ahead(try loop.handle([.tick], now: F.t0)).isEmpty)

        // The whole state: the first full pass takes .10 away (drained from TCP, deleted from UDP).
        let applied = kernel.applied.count
        let synced = try loop.handle([.event(.synced)], now: F.t0 + .seconds(1))
        #expect(synced.firstSyncDone)
        #expect(Self.ahead(synced).isEmpty)
        #expect(Self.serving(kernel, F.web) == ["10.244.0.11", "10.244.0.12"])
        #expect(Self.serving(kernel, F.dns) == ["10.244.0.11", "10.244.0.12"])
        #expect(kernel.applied.count == applied + 2, "the drain and the deletion: \(kernel.applied)")
        let full = synced.reports.compactMap { if case .pass(let pass) = $0 { pass } else { nil } }
        #expect(full.first?.ahead?.passes == 2)
        #expect(full.first?.ahead?.operations == applied, "every operation before the full pass went ahead")
        #expect(full.first?.ahead?.bound == 1)

        // After the first full pass, changes go as ordinary passes.
        let later = try loop.handle([try Self.slice(["10.244.0.12"])], now: F.t0 + .seconds(2))
        #expect(Self.ahead(later).isEmpty)
        #expect(Self.serving(kernel, F.web) == ["10.244.0.12"])
    }

    /// The real servers of `key` with a weight: those not draining.
    static func serving(_ kernel: FakeKernel, _ key: VirtualServerKey) -> Set<String> {
        Set(kernel.table[key]?.realServers.filter { $0.server.weight > 0 }.map { "\($0.server.address)" } ?? [])
    }

    @Test func aServiceChangedBeforeTheListEndsIsUpdatedOnlyByTheFirstFullPass() throws {
        let kernel = FakeKernel()
        var loop = try loop(kernel, FakeLink())
        let rr = Inbox.Input.event(.change(.upsert(.service(try Objects.web(spec: Self.spec)))))
        _ = try loop.handle([rr, try Self.slice(["10.244.0.10"])], now: F.t0)
        #expect(kernel.table[F.web]?.server.scheduler == "rr")
        let lc = try Objects.web(
            spec: Self.spec, metadata: "  annotations: {ipvs-proxy.io/scheduler: lc}")
        let changed = try loop.handle([.event(.change(.upsert(.service(lc))))], now: F.t0)
        #expect(Self.ahead(changed).flatMap(\.sync.plan.operations).isEmpty, "an update waits for the whole state")
        #expect(kernel.table[F.web]?.server.scheduler == "rr")
        _ = try loop.handle([.event(.synced)], now: F.t0)
        #expect(kernel.table[F.web]?.server.scheduler == "lc")
    }

    @Test func onlyAKernelHoldingNothingOfTheProxysIsProgrammedAhead() throws {
        // A virtual server on the VIP link's address is the proxy's: a restart, not a new node.
        let owned = FakeKernel([F.state(F.vs(F.web), [F.rs("10.244.0.10", 8080)])])
        #expect(try !loop(owned, FakeLink(addresses: [F.ip(F.vip)])).programsAhead)
        // An address on the link alone is the proxy's too.
        #expect(try !loop(FakeKernel(), FakeLink(addresses: [F.ip(F.vip)])).programsAhead)
        // Another program's virtual server (keepalived's, on no address of the link) does not count.
        let foreign = FakeKernel([F.state(F.vs(F.key(.tcp, "192.0.2.1", 80)), [F.rs("10.0.0.1", 80)])])
        #expect(try loop(foreign, FakeLink()).programsAhead)

        // A restart: nothing is written before the first full pass, even what the state adds.
        let kernel = FakeKernel([F.state(F.vs(F.web), [F.rs("10.244.0.10", 8080)])])
        var restart = try loop(kernel, FakeLink(addresses: [F.ip(F.vip)]))
        let service = Inbox.Input.event(.change(.upsert(.service(try Objects.web(spec: Self.spec)))))
        let outcome = try restart.handle([service, try Self.slice(["10.244.0.10", "10.244.0.11"])], now: F.t0)
        #expect(Self.ahead(outcome).isEmpty)
        #expect(kernel.applied.isEmpty)
    }

    @Test func theServiceProgramsAheadOnlyWhenAsked() async throws {
        for asked in [true, false] {
            let (stream, source) = AsyncStream.makeStream(of: SourceEvent.self)
            source.yield(.change(.upsert(.service(try Objects.web(spec: Self.spec)))))
            let kernel = FakeKernel()
            var options = ProxyService.Options()
            options.programsAhead = asked
            let service = ProxyService(
                events: stream,
                reconciler: Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test")),
                configuration: ProxyConfiguration(), options: options, logger: Logger(label: "test"))
            let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                if asked {
                    await waitFor { kernel.table.count == 2 }
                } else {
                    // The change is handled (the loop reports it pending) without touching the kernel.
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(kernel.table.count == (asked ? 2 : 0), "asked: \(asked)")
                source.yield(.synced)
                await waitFor { kernel.table.count == 2 }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(kernel.table.count == 2)
        }
    }

    /// A set client whose writes wait for the kernel's second batch to have started; the kernel's second batch waits
    /// for a write to have started. One after the other, each would wait in vain.
    final class Meeting: NFTablesSetAccess {
        let base = FakeNFTablesSets()
        let fillStarted = DispatchSemaphore(value: 0)
        let batches = Locked(0)
        let overlaps = Locked<[String]>([])

        /// The first write (the first pass ahead's elements) waits for the second kernel batch; later ones do not.
        func apply(table: String, _ changes: [NFTablesSetChange]) throws(IPVSError) {
            if base.batches.isEmpty {
                fillStarted.signal()
                let deadline = ContinuousClock.now + .seconds(10)
                while batches.withLock({ $0 }) < 2, ContinuousClock.now < deadline {
                    Thread.sleep(forTimeInterval: 0.001)
                }
                if batches.withLock({ $0 }) >= 2 { overlaps.withLock { $0.append("nftables") } }
            }
            try base.apply(table: table, changes)
        }

        func keys(table: String, sets: [String]) throws(IPVSError) -> [String: [[UInt8]]] {
            try base.keys(table: table, sets: sets)
        }

        /// Before each kernel batch: the first lets the second Service in; the second waits for a write to start.
        func kernelBatch(_ operations: [IPVSOperation], next: () -> Void) {
            guard !operations.isEmpty else { return }
            let count = batches.withLock { count in
                count += 1
                return count
            }
            if count == 1 { next() }
            if count == 2, fillStarted.wait(timeout: .now() + 120) == .success {
                overlaps.withLock { $0.append("kernel") }
            }
        }
    }

    @Test func aPassAheadsNftablesElementsAreWrittenBesideTheNextPass() async throws {
        let (stream, source) = AsyncStream.makeStream(of: SourceEvent.self)
        source.yield(.change(.upsert(.service(try Objects.web(spec: Self.spec)))))
        let other = try Objects.api(ports: "[{name: http, protocol: TCP, port: 80, targetPort: 8080}]")
        let meeting = Meeting()
        let kernel = FakeKernel()
        var options = ProxyService.Options()
        options.programsAhead = true
        let service = ProxyService(
            events: stream,
            reconciler: Reconciler(
                kernel: HookedKernel(kernel) { operations in
                    meeting.kernelBatch(operations) { source.yield(.change(.upsert(.service(other)))) }
                },
                link: FakeLink(), logger: Logger(label: "test")),
            configuration: ProxyConfiguration(), options: options,
            masquerade: MasqueradeSync(configuration: MasqueradeConfiguration(), nft: FakeNFTables(), sets: meeting),
            logger: Logger(label: "test"))
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await waitFor { meeting.overlaps.withLock { Set($0).count } == 2 && kernel.table.count == 3 }
            source.yield(.synced)
            await waitFor { meeting.base.batches.count >= 2 }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(Set(meeting.overlaps.withLock { $0 }) == ["kernel", "nftables"])
        #expect(kernel.table.count == 3, "web's two ports and api's one")
    }
}
