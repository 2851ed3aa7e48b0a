import IPVS
import Kube
import Testing

@testable import Proxy

/// Two Services (or two ports of one) wanting one virtual server: it stays while any of them wants it, the oldest
/// Service's settings and real servers win whatever the order of arrival, and the others are told.
@Suite struct SharedVirtualServerTests {
    static let shared = F.key(.tcp, "203.0.113.7", 80)

    /// A Service `name` with external IP 203.0.113.7 on port 80, created at `created` (nil: no timestamp), with
    /// scheduler `scheduler`.
    static func service(_ name: String, created: String?, scheduler: String, namespace: String = "default") throws
        -> ValidatedService
    {
        let timestamp = created.map { "\n  creationTimestamp: \"\($0)\"" } ?? ""
        return try Objects.service(
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: \(name)
              namespace: \(namespace)\(timestamp)
              annotations: {ipvs-proxy.io/scheduler: \(scheduler)}
            spec:
              clusterIP: 10.96.0.\(name == "old" ? 11 : 12)
              externalIPs: [203.0.113.7]
              ports: [{name: http, protocol: TCP, port: 80}]
            """)
    }

    /// One endpoint of Service `name` at `address`.
    static func slice(_ name: String, _ address: String, namespace: String = "default") throws
        -> ValidatedEndpointSlice
    {
        try Objects.slice(
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: \(name)-x, namespace: \(namespace), labels: {kubernetes.io/service-name: \(name)}}
            addressType: IPv4
            endpoints: [{addresses: [\(address)]}]
            ports: [{name: http, protocol: TCP, port: 8080}]
            """)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// (name, creationTimestamp, scheduler, namespace) of the two Services, in order of arrival.
        var services: [(String, String?, String, String)]
        /// The Service expected to hold the shared virtual server.
        var holder: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "older arrives first",
            services: [("old", "2026-01-01T00:00:00Z", "wrr", "default"), ("new", "2026-06-01T00:00:00Z", "lc", "default")],
            holder: "default/old"),
        Case(
            name: "older arrives second",
            services: [("new", "2026-06-01T00:00:00Z", "lc", "default"), ("old", "2026-01-01T00:00:00Z", "wrr", "default")],
            holder: "default/old"),
        Case(
            name: "same time: namespace/name decides",
            services: [("new", "2026-01-01T00:00:00Z", "lc", "a"), ("old", "2026-01-01T00:00:00Z", "wrr", "b")],
            holder: "a/new"),
        Case(
            name: "a timestamp beats none",
            services: [("old", nil, "wrr", "a"), ("new", "2026-01-01T00:00:00Z", "lc", "b")],
            holder: "b/new"),
    ]

    @Test(arguments: cases) func theHolderIsTheSameWhateverTheOrder(_ test: Case) throws {
        var tracker = DesiredStateTracker(configuration: ProxyConfiguration())
        var schedulers: [String: String] = [:]
        for (name, created, scheduler, namespace) in test.services {
            tracker.apply(.upsert(.service(try Self.service(name, created: created, scheduler: scheduler, namespace: namespace))))
            tracker.apply(.upsert(.endpointSlice(try Self.slice(name, name == "old" ? "10.244.0.1" : "10.244.0.2", namespace: namespace))))
            schedulers["\(namespace)/\(name)"] = scheduler
        }
        let holderReal = test.holder.hasSuffix("/old") ? "10.244.0.1" : "10.244.0.2"
        let server = try #require(tracker.desired.virtualServers[Self.shared])
        #expect(server.server.scheduler.rawValue == schedulers[test.holder])
        #expect(server.realServers.keys.map(\.address.description) == [holderReal])
        #expect(tracker.owner(of: Self.shared)?.description == test.holder)
        let loser = try #require(schedulers.keys.first { $0 != test.holder })
        let diagnostics = tracker.diagnostics.flatMap { service, list in list.map { (service, $0) } }
        #expect(diagnostics.count == 1)
        let (service, diagnostic) = try #require(diagnostics.first)
        #expect(service.description == loser)
        #expect(diagnostic.code == .sharedVirtualServer)
        #expect(diagnostic.service == loser)
        #expect(diagnostic.message.contains("services/\(test.holder)"))
    }

    @Test(arguments: ["old", "new"]) func deletingEitherKeepsTheOthersVirtualServer(_ deleted: String) throws {
        for order in [["old", "new"], ["new", "old"]] {
            var tracker = DesiredStateTracker(configuration: ProxyConfiguration())
            var services: [String: ValidatedService] = [:]
            for name in order {
                let created = name == "old" ? "2026-01-01T00:00:00Z" : "2026-06-01T00:00:00Z"
                services[name] = try Self.service(name, created: created, scheduler: name == "old" ? "wrr" : "lc")
                tracker.apply(.upsert(.service(try #require(services[name]))))
                tracker.apply(.upsert(.endpointSlice(try Self.slice(name, name == "old" ? "10.244.0.1" : "10.244.0.2"))))
            }
            let survivor = deleted == "old" ? "new" : "old"
            let touched = tracker.apply(.delete(.service(try #require(services[deleted]))))
            let server = try #require(tracker.desired.virtualServers[Self.shared], "order \(order)")
            #expect(server.server.scheduler.rawValue == (survivor == "old" ? "wrr" : "lc"))
            #expect(server.realServers.keys.map(\.address.description) == [survivor == "old" ? "10.244.0.1" : "10.244.0.2"])
            #expect(tracker.owner(of: Self.shared)?.description == "default/\(survivor)")
            #expect(tracker.diagnostics.isEmpty, "the survivor holds it alone")
            #expect(touched.virtualServers.contains(Self.shared) == (deleted == "old"), "only a new holder is a change")
            #expect(tracker.desired.boundAddresses.contains(F.ip("203.0.113.7")))

            tracker.apply(.delete(.service(try #require(services[survivor]))))
            #expect(tracker.desired.virtualServers[Self.shared] == nil)
            #expect(!tracker.desired.boundAddresses.contains(F.ip("203.0.113.7")))
        }
    }

    /// The shared virtual server's Service port is its holder's, name included: renamed with the holder's port, not
    /// with the loser's, and the survivor's once the holder goes.
    @Test func theServicePortIsTheHoldersAndFollowsItsName() throws {
        var tracker = DesiredStateTracker(configuration: ProxyConfiguration())
        var old = try Self.service("old", created: "2026-01-01T00:00:00Z", scheduler: "wrr")
        var new = try Self.service("new", created: "2026-06-01T00:00:00Z", scheduler: "lc")
        tracker.apply(.upsert(.service(new)))
        #expect(tracker.servicePorts[Self.shared] == ServiceMap.ServicePort(service: new.key, port: "http"))
        tracker.apply(.upsert(.service(old)))
        #expect(tracker.servicePorts[Self.shared] == ServiceMap.ServicePort(service: old.key, port: "http"))
        new.ports[0].name = "web"
        tracker.apply(.upsert(.service(new)))
        #expect(tracker.servicePorts[Self.shared] == ServiceMap.ServicePort(service: old.key, port: "http"))
        old.ports[0].name = "main"
        tracker.apply(.upsert(.service(old)))
        #expect(tracker.servicePorts[Self.shared] == ServiceMap.ServicePort(service: old.key, port: "main"))
        #expect(tracker.owner(of: Self.shared) == old.key)
        tracker.apply(.delete(.service(old)))
        #expect(tracker.servicePorts[Self.shared] == ServiceMap.ServicePort(service: new.key, port: "web"))
        #expect(tracker.servicePorts == ServiceMap(tracker: tracker).servicePorts)
        tracker.apply(.delete(.service(new)))
        #expect(tracker.servicePorts.isEmpty)
        #expect(tracker.owner(of: Self.shared) == nil)
    }

    @Test func aLosersChangesTouchNothingShared() throws {
        var tracker = DesiredStateTracker(configuration: ProxyConfiguration())
        tracker.apply(.upsert(.service(try Self.service("old", created: "2026-01-01T00:00:00Z", scheduler: "wrr"))))
        tracker.apply(.upsert(.service(try Self.service("new", created: "2026-06-01T00:00:00Z", scheduler: "lc"))))
        let touched = tracker.apply(.upsert(.endpointSlice(try Self.slice("new", "10.244.0.2"))))
        #expect(touched.virtualServers == [F.key(.tcp, "10.96.0.12", 80)])
        #expect(tracker.desired.virtualServers[Self.shared]?.realServers.isEmpty == true)
    }

    @Test func twoPortsOfOneServiceProducingOneKeyKeepTheFirst() throws {
        // Port 8080's external virtual server on 192.168.1.5 collides with port 80's NodePort 8080 there.
        let service = try Objects.service(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
              type: NodePort
              clusterIP: 10.96.0.10
              externalIPs: [192.168.1.5]
              externalTrafficPolicy: Local
              ports:
              - {name: http, protocol: TCP, port: 80, nodePort: 8080}
              - {name: alt, protocol: TCP, port: 8080, nodePort: 30081}
            """)
        let output = ServiceTranslator.translate(
            service, slices: [], configuration: ProxyConfiguration(nodePortAddresses: [F.ip("192.168.1.5")]))
        let key = F.key(.tcp, "192.168.1.5", 8080)
        #expect(output.virtualServers.filter { $0.key == key }.count == 1)
        #expect(output.virtualServers.first { $0.key == key }?.role == .nodePort(.local), "port 0's comes first")
        #expect(output.diagnostics.map(\.code) == [.sharedVirtualServer])
        #expect(output.diagnostics.first?.field == "spec.ports[1]")
        #expect(output.diagnostics.first?.message.contains("spec.ports[0]") == true)
        var tracker = DesiredStateTracker(configuration: ProxyConfiguration(nodePortAddresses: [F.ip("192.168.1.5")]))
        tracker.apply(.upsert(.service(service)))
        #expect(tracker.desired.virtualServers[key]?.role == .nodePort(.local))
    }
}
