import IPVS
import Kube
import Logging
import ServiceLifecycle
import TestSupport
import Testing

@testable import Proxy

/// The service's wake-up path: with no clock tick, the loop's timed work (a pass held back by --min-sync-period,
/// the periodic resync) runs when it is due with no further event to prompt it.
@Suite struct ProxyServicePacingTests {
    static let spec = "  clusterIP: 10.96.0.10\n  ports:\n  - {name: http, protocol: TCP, port: 80}"

    /// Runs a proxy service with `options` (and a health recorder) over a fake kernel, hands `body` the kernel, the
    /// object source's continuation and the recorder, then shuts the service down.
    static func withService(
        _ options: ProxyService.Options,
        _ body: (FakeKernel, AsyncStream<SourceEvent>.Continuation, ProxyHealthRecorder) async throws -> Void
    ) async throws {
        let (stream, source) = AsyncStream.makeStream(of: SourceEvent.self)
        let kernel = FakeKernel()
        var options = options
        let health = ProxyHealthRecorder(timeout: .seconds(60))
        options.healthz = health
        let service = ProxyService(
            events: stream,
            reconciler: Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test")),
            configuration: ProxyConfiguration(), options: options, logger: Logger(label: "test"))
        let group = ServiceGroup(services: [service], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body(kernel, source, health)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func aHeldBackPassRunsWhenDue() async throws {
        var options = ProxyService.Options()
        options.minSyncPeriod = .seconds(1)
        try await Self.withService(options) { kernel, source, health in
            source.yield(.synced)
            while health.status().lastUpdated == nil { try await Task.sleep(for: .milliseconds(20)) }
            // Now within a second of the first pass: this change is held back until that second is over.
            source.yield(.change(.upsert(.service(try Objects.web(spec: Self.spec)))))
            await waitFor { kernel.table[F.web] != nil }
            #expect(kernel.table[F.web] != nil, "the held-back pass ran without a tick or another event")
        }
    }

    @Test func aResyncRepairsDriftAtItsPeriodWithNoEvent() async throws {
        var options = ProxyService.Options()
        options.syncPeriod = .milliseconds(200)
        try await Self.withService(options) { kernel, source, _ in
            source.yield(.change(.upsert(.service(try Objects.web(spec: Self.spec)))))
            source.yield(.synced)
            await waitFor { kernel.table[F.web] != nil }
            // Deleted behind the proxy's back; no event follows: only the resync's own wake-up can repair it.
            _ = kernel.apply([.deleteVirtualServer(F.web)])
            await waitFor { kernel.table[F.web] != nil }
            #expect(kernel.table[F.web] != nil, "the resync ran without a tick or an event")
        }
    }
}
