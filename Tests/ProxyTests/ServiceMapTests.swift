import IPVS
import Kube
import Testing

@testable import Proxy

@Suite struct ServiceMapTests {
    let config = ProxyConfiguration(nodeName: "node-a", nodePortAddresses: [F.ip("192.168.1.5")])

    func slice(_ endpoints: [(String, String?)]) throws -> ValidatedEndpointSlice {
        let lines = endpoints.map { address, pod in
            "  - addresses: [\"\(address)\"]"
                + (pod.map { "\n    targetRef: {kind: Pod, namespace: default, name: \($0)}" } ?? "")
        }
        return try Objects.slice(
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-abc, namespace: default, labels: {kubernetes.io/service-name: web}}
            addressType: IPv4
            endpoints:
            \(lines.joined(separator: "\n"))
            ports:
              - {name: http, protocol: TCP, port: 8080}
              - {name: dns, protocol: UDP, port: 5353}
            """
        )
    }

    func tracker(_ changes: [ObjectChange]) -> DesiredStateTracker {
        var tracker = DesiredStateTracker(configuration: config)
        for change in changes { tracker.apply(change) }
        return tracker
    }

    @Test func everyVirtualServerIsNamedByItsServicePortAndEveryRealServerByItsPod() throws {
        let web = try Objects.web(
            spec: """
                  type: NodePort
                  clusterIP: 10.96.0.10
                  externalIPs: [203.0.113.7]
                  ports:
                  - {name: http, protocol: TCP, port: 80, nodePort: 30080}
                  - {name: dns, protocol: UDP, port: 53}
                """)
        let endpoints = try slice([("10.244.0.10", "web-0"), ("10.244.0.11", nil)])
        let map = ServiceMap(tracker: tracker([.upsert(.service(web)), .upsert(.endpointSlice(endpoints))]))

        let http = ServiceMap.ServicePort(service: ObjectKey(namespace: "default", name: "web"), port: "http")
        let dns = ServiceMap.ServicePort(service: ObjectKey(namespace: "default", name: "web"), port: "dns")
        #expect(map.servicePorts[F.web] == http)
        #expect(map.servicePorts[F.key(.tcp, "203.0.113.7", 80)] == http)
        #expect(map.servicePorts[F.key(.tcp, "192.168.1.5", 30080)] == http, "the NodePort on the node address")
        #expect(map.servicePorts[F.dns] == dns)
        #expect(map.servicePorts[F.key(.udp, "203.0.113.7", 53)] == dns)
        #expect(map.servicePorts.count == 5, "http on 3 addresses (no NodePort for dns), dns on 2")
        #expect(http.description == "default/web:http")

        let pod0 = RealServerEndpoint(address: F.ip("10.244.0.10"), port: 8080)
        let unnamed = RealServerEndpoint(address: F.ip("10.244.0.11"), port: 8080)
        #expect(map.targets[F.web]?[pod0] == "web-0")
        #expect(map.targets[F.web]?[unnamed] == nil, "no targetRef, no name")
        #expect(map.targets[F.dns]?[RealServerEndpoint(address: F.ip("10.244.0.10"), port: 5353)] == "web-0")
    }

    @Test func servicesTheProxyDoesNotServeAreNotMapped() throws {
        let headless = try Objects.web(spec: "  clusterIP: None\n  ports: [{name: http, port: 80}]")
        let map = ServiceMap(tracker: tracker([.upsert(.service(headless))]))
        #expect(map.servicePorts.isEmpty)
        #expect(map.targets.isEmpty)
    }

    @Test func anUnnamedSinglePortPrintsAsTheService() {
        let port = ServiceMap.ServicePort(service: ObjectKey(namespace: "demo", name: "echo"), port: "")
        #expect(port.description == "demo/echo")
    }
}
