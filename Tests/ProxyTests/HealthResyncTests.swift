import Values
import Health
import IPVS
import Kube
import Logging
import TestSupport
import Testing

@testable import Proxy

/// Health as an input of the desired state: verdicts recompute only the Services that use the endpoint, shared
/// endpoints are probed once, and a full resync never brings back a real server that is down.
@Suite("Health and the reconcile loop")
struct HealthResyncTests {
    static let spec = """
          clusterIP: 10.96.0.10
          ports:
          - {name: http, protocol: TCP, port: 80}
        """
    static let probe = HealthProbe()
    /// The operator allows health-check annotations and names the pods' CIDR.
    static let configuration = ProxyConfiguration(
        health: HealthCheckConfiguration(annotations: .allow, allowedPrefixes: [F.prefix("10.244.0.0/16")]))

    static func target(_ address: String) -> HealthTarget {
        HealthTarget(address: F.ip(address), port: 8080, probe: probe)
    }

    static func web(_ action: String = "remove") throws -> ValidatedService {
        try Objects.web(
            spec: spec,
            metadata: "  annotations: {ipvs-proxy.io/health-check: \"on\", ipvs-proxy.io/health-check-action: \(action)}"
        )
    }

    /// A second Service `api` on another VIP selecting the same endpoints.
    static func api() throws -> (ValidatedService, ValidatedEndpointSlice) {
        let service = try Objects.service(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: api, namespace: default, annotations: {ipvs-proxy.io/health-check: "on"}}
            spec: {clusterIP: 10.96.0.20, ports: [{name: http, protocol: TCP, port: 80}]}
            """
        )
        let slice = try Objects.slice(
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: api-1, namespace: default, labels: {kubernetes.io/service-name: api}}
            addressType: IPv4
            endpoints: [{addresses: ["10.244.0.10"]}, {addresses: ["10.244.0.11"]}]
            ports: [{name: http, protocol: TCP, port: 8080}]
            """
        )
        return (service, slice)
    }

    static func slice() throws -> ValidatedEndpointSlice {
        try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10"), Objects.ready("10.244.0.11")])
    }

    func loop(_ kernel: FakeKernel) throws -> ReconcileLoop {
        var reconciler = Reconciler(kernel: kernel, link: FakeLink(), logger: Logger(label: "test"))
        try reconciler.adopt()
        return ReconcileLoop(
            reconciler: reconciler,
            tracker: DesiredStateTracker(configuration: Self.configuration),
            syncPeriod: .seconds(30)
        )
    }

    static func reals(_ kernel: FakeKernel, _ key: VirtualServerKey = F.web) -> [String] {
        (kernel.table[key]?.realServers ?? []).map { "\($0.server.address)=\($0.server.weight)" }.sorted()
    }

    @Test func sharedEndpointsAreOneTargetAndAVerdictTouchesOnlyTheirServices() throws {
        var tracker = DesiredStateTracker(configuration: Self.configuration)
        let (api, apiSlice) = try Self.api()
        tracker.apply(.upsert(.service(try Self.web())))
        tracker.apply(.upsert(.endpointSlice(try Self.slice())))
        tracker.apply(.upsert(.service(api)))
        tracker.apply(.upsert(.endpointSlice(apiSlice)))
        let other = try Objects.service(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: other, namespace: default}
            spec: {clusterIP: 10.96.0.30, ports: [{name: http, protocol: TCP, port: 80}]}
            """
        )
        tracker.apply(.upsert(.service(other)))
        let changes = tracker.takeHealthTargetChanges()
        #expect(Set(changes.keys) == [Self.target("10.244.0.10"), Self.target("10.244.0.11")])
        #expect(changes[Self.target("10.244.0.10")]?.map(\.name).sorted() == ["api", "web"])
        #expect(tracker.takeHealthTargetChanges().isEmpty)

        let touched = tracker.applyHealth(HealthTransition(target: Self.target("10.244.0.10"), status: .down))
        #expect(touched.virtualServers == [F.web, F.key(.tcp, "10.96.0.20", 80)])
        #expect(tracker.desired.virtualServers[F.web]?.realServers.keys.map(\.address.description) == ["10.244.0.11"])
        let again = tracker.applyHealth(HealthTransition(target: Self.target("10.244.0.10"), status: .down))
        #expect(again.isEmpty, "a repeated verdict changes nothing")
        #expect(tracker.healthSummaries[ObjectKey(namespace: "default", name: "web")] == HealthSummary(healthy: 1, unhealthy: 1))
    }

    @Test func aVerdictOnAnUnusedEndpointIsIgnoredAndDepartedEndpointsAreForgotten() throws {
        var tracker = DesiredStateTracker(configuration: Self.configuration)
        tracker.apply(.upsert(.service(try Self.web())))
        tracker.apply(.upsert(.endpointSlice(try Self.slice())))
        _ = tracker.takeHealthTargetChanges()
        #expect(tracker.applyHealth(HealthTransition(target: Self.target("10.244.0.99"), status: .down)).isEmpty)
        _ = tracker.applyHealth(HealthTransition(target: Self.target("10.244.0.11"), status: .down))
        #expect(tracker.downTargets == [Self.target("10.244.0.11")])
        // Gone and back before the prober hears of it: the verdict stands (the prober never stopped probing it).
        tracker.apply(.upsert(.endpointSlice(try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10")]))))
        tracker.apply(.upsert(.endpointSlice(try Self.slice())))
        #expect(tracker.takeHealthTargetChanges() == [Self.target("10.244.0.11"): [ObjectKey(namespace: "default", name: "web")]])
        #expect(tracker.downTargets == [Self.target("10.244.0.11")])
        #expect(tracker.desired.virtualServers[F.web]?.realServers.count == 1)
        // Gone for good: forgotten together with the prober.
        tracker.apply(.upsert(.endpointSlice(try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10")]))))
        #expect(tracker.takeHealthTargetChanges() == [Self.target("10.244.0.11"): []])
        #expect(tracker.downTargets.isEmpty)
    }

    @Test(arguments: [("remove", [String]()), ("inhibit", ["10.244.0.11=0"])])
    func aDownRealServerStaysOutThroughAFullResync(action: String, expectedDown: [String]) throws {
        let kernel = FakeKernel()
        var loop = try loop(kernel)
        _ = try loop.handle(
            [.event(.change(.upsert(.service(try Self.web(action))))), .event(.change(.upsert(.endpointSlice(try Self.slice())))),
             .event(.synced)],
            now: F.t0
        )
        #expect(Self.reals(kernel) == ["10.244.0.10=1", "10.244.0.11=1"])
        var now = F.t0 + .seconds(1)
        _ = try loop.handle([.health(HealthTransition(target: Self.target("10.244.0.11"), status: .down))], now: now)
        for _ in 0..<3 {
            now += .seconds(1)
            _ = try loop.handle([.tick], now: now)
        }
        #expect(Self.reals(kernel) == (["10.244.0.10=1"] + expectedDown).sorted())

        // A full resync re-reads the kernel and reconciles everything: the unhealthy real server stays out.
        now = F.t0 + .seconds(31)
        _ = try loop.handle([.tick], now: now)
        #expect(loop.lastFullSync == now, "a full sync ran")
        #expect(Self.reals(kernel) == (["10.244.0.10=1"] + expectedDown).sorted())
        // So does a change to the Service's slice that lists it again.
        _ = try loop.handle([.event(.change(.upsert(.endpointSlice(try Self.slice()))))], now: now + .seconds(1))
        #expect(Self.reals(kernel) == (["10.244.0.10=1"] + expectedDown).sorted())

        _ = try loop.handle([.health(HealthTransition(target: Self.target("10.244.0.11"), status: .up))], now: now + .seconds(2))
        #expect(Self.reals(kernel) == ["10.244.0.10=1", "10.244.0.11=1"])
    }

    @Test func targetsReachTheSinkAndTransitionsTheStateFile() async throws {
        let kernel = FakeKernel()
        let sink = RecordingSink()
        let directory = try TemporaryDirectory()
        let path = directory.file("health.json")
        var loop = ObservedLoop(
            loop: try loop(kernel),
            observers: [
                HealthTargetsObserver(sink: sink), HealthMetrics(),
                HealthStateFile(path: path, logger: Logger(label: "test")),
            ])
        _ = try await loop.handle(
            [.event(.change(.upsert(.service(try Self.web())))), .event(.change(.upsert(.endpointSlice(try Self.slice())))),
             .event(.synced)],
            now: F.t0
        )
        #expect(sink.seen.keys.sorted() == [Self.target("10.244.0.10"), Self.target("10.244.0.11")])
        _ = try await loop.handle(
            [.health(HealthTransition(target: Self.target("10.244.0.11"), status: .down, reason: "connect failed"))],
            now: F.t0 + .seconds(1)
        )
        let report = try HealthStateReport.read(from: path)
        #expect(report.probed == 2)
        #expect(report.unhealthy.map(\.address) == ["10.244.0.11"])
        #expect(report.unhealthy.first?.reason == "connect failed")
        #expect(report.unhealthy.first?.services == ["default/web"])
        #expect(report.services.map(\.unhealthy) == [1])
    }
}

/// Records what the loop asks the prober to probe.
final class RecordingSink: HealthTargetSink {
    private let state = Locked<[HealthTarget: Set<ObjectKey>]>([:])
    var seen: [HealthTarget: Set<ObjectKey>] { state.withLock { $0 } }
    func update(_ changes: [HealthTarget: Set<ObjectKey>]) {
        state.withLock { seen in
            for (target, users) in changes { seen[target] = users.isEmpty ? nil : users }
        }
    }
}
