import IPVS
import Kube
import Logging
import ServiceLifecycle
import TestSupport
import Testing
import Values

@testable import Proxy

/// The source and the proxy as two services of one `ServiceGroup`, as `ipvs-proxy run` wires them: a graceful
/// shutdown stops both without an error, and a source that fails stops the group with its own error.
@Suite struct ProxyServiceGroupTests {
    /// A source that delivers what the test sends, then fails with `failure` if it is given one.
    struct ScriptedSource: ObjectSource {
        let stream: AsyncStream<SourceEvent>
        var failure: SourceError? = nil
        func run(delivering deliver: @escaping @Sendable (SourceEvent) -> Void) async throws {
            for await event in stream { deliver(event) }
            if let failure, !Task.isCancelled { throw failure }
        }
    }

    static let spec = "  clusterIP: 10.96.0.10\n  ports:\n  - {name: http, protocol: TCP, port: 80}"

    /// The group `ipvs-proxy run` builds, minus the prober and telemetry: source first, then the proxy.
    static func group(_ source: ScriptedSource, kernel: FakeKernel) -> ServiceGroup {
        let logger = Logger(label: "test")
        let service = SourceService(source)
        let proxy = ProxyService(
            events: service.events,
            reconciler: Reconciler(kernel: kernel, link: FakeLink(), logger: logger),
            configuration: ProxyConfiguration(), logger: logger)
        return ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: service),
                    .init(service: proxy, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                logger: logger))
    }

    @Test func aGracefulShutdownStopsTheProxyThenItsSourceWithoutAnError() async throws {
        let (stream, events) = AsyncStream.makeStream(of: SourceEvent.self)
        let kernel = FakeKernel()
        let group = Self.group(ScriptedSource(stream: stream), kernel: kernel)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            events.yield(.change(.upsert(.service(try Objects.web(spec: Self.spec)))))
            events.yield(.synced)
            await waitFor { kernel.table[F.web] != nil }
            #expect(kernel.table[F.web] != nil, "the source's object reached the kernel")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func aFailingSourceStopsTheGroupWithItsError() async throws {
        let (stream, events) = AsyncStream.makeStream(of: SourceEvent.self)
        let failure = SourceError(.connection, "cannot connect to the API server https://test")
        let group = Self.group(ScriptedSource(stream: stream, failure: failure), kernel: FakeKernel())
        events.yield(.synced)
        events.finish()
        await #expect(throws: failure) { try await group.run() }
    }

    @Test func aSourceThatEndsByItselfStopsTheGroup() async throws {
        let (stream, events) = AsyncStream.makeStream(of: SourceEvent.self)
        let group = Self.group(ScriptedSource(stream: stream), kernel: FakeKernel())
        events.yield(.synced)
        events.finish()
        let error = await #expect(throws: SourceError.self) { try await group.run() }
        #expect(error?.code == .ended)
    }

    /// The group names each service by its description, taken as the service is configured: the proxy's is its name
    /// alone, however large its state (the reflected default printed the ownership record's every virtual server).
    @Test func theGroupNamesTheProxyWithoutPrintingItsState() {
        let keys = (0..<1000).map {
            VirtualServerKey.service(.tcp, .v4(IPv4Address(0x0a60_0000 + UInt32($0))), port: 80)
        }
        let logger = Logger(label: "test")
        let proxy = ProxyService(
            events: AsyncStream { $0.finish() },
            reconciler: Reconciler(
                kernel: FakeKernel(), link: FakeLink(), record: OwnershipRecord(virtualServers: Set(keys)),
                logger: logger),
            configuration: ProxyConfiguration(), logger: logger)
        #expect(ServiceGroupConfiguration.ServiceConfiguration(service: proxy).serviceName == "ProxyService")
    }
}
