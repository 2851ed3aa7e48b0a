import IPVS
import Kube
import Logging
import ServiceLifecycle
import TestSupport
import Testing

@testable import Proxy

/// The API-server source and the proxy together against ``FaultyAPIServer``: whatever the API server's faults (410
/// storms, garbled and cut watch lines, idle closes), the kernel never loses a Service the server still holds, and it
/// converges to what the server holds, the change behind a broken watch line included.
@Suite struct APIFaultKernelTests {
    static func group(_ source: APIServerSource, kernel: FakeKernel) -> ServiceGroup {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
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

    static func vip(_ index: Int) -> String { "10.96.5.\(index + 1)" }

    @Test func theKernelNeverLosesAServiceTheServerStillHoldsThrough410sAndBrokenLines() async throws {
        let clock = SimulatedClock()
        let server = try await FaultyAPIServer(clock: clock)
        for index in 0..<4 {
            try server.upsert(.services, FaultyAPIServer.service("s\(index)", clusterIP: Self.vip(index)))
            try server.upsert(
                .endpointSlices,
                FaultyAPIServer.slice("s\(index)-a", service: "s\(index)", addresses: ["10.244.0.\(index + 2)"]))
        }
        server.inject { $0.idleCloseAfter = .seconds(5) }
        var options = APIServerSource.Options()
        options.clock = clock
        options.pageSize = 3
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let source = APIServerSource(
            connection: ClusterConnection(server: server.baseURL, token: .literal("t0k3n")), options: options,
            logger: quiet)
        let kernel = FakeKernel()
        let group = Self.group(source, kernel: kernel)
        let stable = (0..<3).map { F.key(.tcp, Self.vip($0), 80) }
        var missing: [VirtualServerKey] = []
        var samples = 0
        let sample = {
            let table = kernel.table
            samples += 1
            missing += stable.filter { table[$0] == nil }
        }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await waitFor { stable.allSatisfy { kernel.table[$0] != nil } }
            #expect(stable.allSatisfy { kernel.table[$0] != nil }, "synced")
            // A storm of 410s on both resources, watch lines garbled and cut, and changes meanwhile.
            server.inject {
                $0.goneStorm = [.services, .endpointSlices]
                $0.garbledWatches = 3
                $0.truncatedWatches = 3
            }
            server.compact()
            try server.upsert(.services, FaultyAPIServer.service("n1", clusterIP: "10.96.6.1"))
            try server.upsert(
                .endpointSlices, FaultyAPIServer.slice("n1-a", service: "n1", addresses: ["10.244.1.2"]))
            server.delete(.services, "default/s3")
            server.delete(.endpointSlices, "default/s3-a")
            let listsBefore = server.server.requests.filter { !$0.isWatch }.count
            await waitFor {
                sample()
                return server.server.requests.filter { !$0.isWatch }.count >= listsBefore + 8
            }
            server.inject { $0.goneStorm = [] }
            let n1 = F.key(.tcp, "10.96.6.1", 80)
            let s3 = F.key(.tcp, Self.vip(3), 80)
            // The Service and its EndpointSlice come on two watches, either first: wait for both.
            await waitFor {
                sample()
                return kernel.table[n1]?.realServers.isEmpty == false && kernel.table[s3] == nil
            }
            #expect(kernel.table[n1]?.realServers.map(\.server.address.description) == ["10.244.1.2"])
            #expect(kernel.table[s3] == nil)
            // After the storm: the next watch's first event arrives cut, then garbled; it is not lost.
            server.inject {
                $0.garbledWatches = 1
                $0.truncatedWatches = 1
            }
            try server.upsert(.services, FaultyAPIServer.service("n2", clusterIP: "10.96.6.2"))
            let n2 = F.key(.tcp, "10.96.6.2", 80)
            await waitFor {
                sample()
                return kernel.table[n2] != nil
            }
            #expect(kernel.table[n2] != nil, "the change behind the broken lines arrived")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await server.shutdown()
        #expect(samples > 2)
        #expect(missing.isEmpty, "a Service the server held left the kernel: \(missing)")
        #expect(stable.allSatisfy { kernel.table[$0]?.realServers.count == 1 })
    }
}
