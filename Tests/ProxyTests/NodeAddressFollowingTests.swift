import IPVS
import Kube
import Logging
import TestSupport
import Testing
import Values

@testable import Proxy

/// Node addresses followed live: an address added to an interface gets the NodePorts, a removed one loses those
/// the proxy made, and only Services that use node addresses are recomputed.
@Suite struct NodeAddressFollowingTests {
    static func local(_ address: String, _ interface: String = "eth0") -> LocalAddress {
        LocalAddress(address: F.ip(address), prefixLength: 32, interfaceIndex: 2, interfaceName: interface)
    }

    static func set(_ addresses: [String]) -> NodeAddressSet {
        NodeAddressSet(addresses.map { local($0) }, prefixes: [], vipLink: "kube-ipvs0")
    }

    static let nodePort = """
          type: NodePort
          clusterIP: 10.96.0.10
          ports:
          - {name: http, protocol: TCP, port: 80, nodePort: 30080}
        """

    static func clusterOnly() throws -> ValidatedService {
        try Objects.service(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: api, namespace: default}
            spec:
              clusterIP: 10.96.0.20
              ports: [{name: http, protocol: TCP, port: 80}]
            """)
    }

    @Test func anAddedAddressGetsTheNodePortsAndARemovedOneLosesThem() throws {
        var tracker = DesiredStateTracker(configuration: ProxyConfiguration(nodePortAddresses: [F.ip("192.168.1.5")]))
        tracker.apply(.upsert(.service(try Objects.web(spec: Self.nodePort))))
        tracker.apply(.upsert(.service(try Self.clusterOnly())))
        let added = tracker.updateNode(Self.set(["192.168.1.5", "192.168.1.6"]))
        #expect(added.virtualServers == [F.key(.tcp, "192.168.1.6", 30080)], "only the new NodePort")
        #expect(tracker.desired.virtualServers[F.key(.tcp, "192.168.1.6", 30080)] != nil)
        let removed = tracker.updateNode(Self.set(["192.168.1.6"]))
        #expect(removed.virtualServers == [F.key(.tcp, "192.168.1.5", 30080)])
        #expect(tracker.desired.virtualServers[F.key(.tcp, "192.168.1.5", 30080)] == nil)
        #expect(tracker.updateNode(Self.set(["192.168.1.6"])).isEmpty, "the same addresses touch nothing")
    }

    @Test func anExternalIPThatAppearsOnAnInterfaceIsNoLongerBound() throws {
        var tracker = DesiredStateTracker(configuration: ProxyConfiguration())
        tracker.apply(.upsert(.service(try Objects.web(spec: Self.nodePort + "\n  externalIPs: [203.0.113.7]"))))
        #expect(tracker.desired.boundAddresses.contains(F.ip("203.0.113.7")))
        let touched = tracker.updateNode(Self.set(["203.0.113.7"]))
        #expect(touched.addresses == [F.ip("203.0.113.7")])
        #expect(!tracker.desired.boundAddresses.contains(F.ip("203.0.113.7")))
    }

    @Test func theLoopProgramsNewNodePortsAndDeletesOnlyItsOwn() throws {
        // Another program's virtual server on the address that goes away, on another port.
        let foreign = F.state(F.vs(F.key(.tcp, "192.168.1.5", 30999), "wrr"), [])
        let kernel = FakeKernel([foreign])
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test"))
        try reconciler.adopt()
        var loop = ReconcileLoop(
            reconciler: reconciler,
            tracker: DesiredStateTracker(configuration: ProxyConfiguration(nodePortAddresses: [F.ip("192.168.1.5")])),
            syncPeriod: .seconds(30))
        let service = try Objects.web(spec: Self.nodePort)
        _ = try loop.handle([.event(.change(.upsert(.service(service)))), .event(.synced)], now: F.t0)
        #expect(kernel.table[F.key(.tcp, "192.168.1.5", 30080)] != nil)

        _ = try loop.handle([.node(Self.set(["192.168.1.5", "192.168.1.6"]))], now: F.t0 + .seconds(1))
        #expect(kernel.table[F.key(.tcp, "192.168.1.6", 30080)] != nil, "the added address has the NodePort")

        _ = try loop.handle([.node(Self.set(["192.168.1.6"]))], now: F.t0 + .seconds(2))
        #expect(kernel.table[F.key(.tcp, "192.168.1.5", 30080)] == nil, "the removed address lost it")
        #expect(kernel.table[foreign.server.key]?.server.scheduler == "wrr", "another program's stays")
    }

    @Test func theWatcherYieldsOnlyChangedSets() async throws {
        let source = FakeNodeAddresses([Self.local("192.168.1.5")])
        let watcher = NodeAddressWatcher(
            source: source, initial: Self.set(["192.168.1.5"]), prefixes: [], vipLink: "kube-ipvs0",
            logger: Logger(label: "test"))
        let received = Received()
        let task = Task {
            async let run: Void = watcher.run()
            for await update in watcher.updates { received.append(update) }
            try await run
        }
        defer { task.cancel() }
        await waitFor { source.reads >= 1 }
        #expect(received.all.isEmpty, "the start-up read matches the initial set")
        source.set([Self.local("192.168.1.5"), Self.local("192.168.1.6"), Self.local("10.96.0.1", "kube-ipvs0")])
        await waitFor { received.all.count == 1 }
        #expect(received.all == [Self.set(["192.168.1.5", "192.168.1.6"])])
        source.set([Self.local("192.168.1.5"), Self.local("192.168.1.6"), Self.local("10.96.0.2", "kube-ipvs0")])
        await waitFor { source.reads >= 3 }
        #expect(received.all.count == 1, "a VIP bound to the link changes no node address")
        source.set([Self.local("192.168.1.6")])
        await waitFor { received.all.count == 2 }
        #expect(received.all.last == Self.set(["192.168.1.6"]))
    }

    final class Received: Sendable {
        private let items = Locked<[NodeAddressSet]>([])
        func append(_ item: NodeAddressSet) { items.withLock { $0.append(item) } }
        var all: [NodeAddressSet] { items.withLock { $0 } }
    }
}
