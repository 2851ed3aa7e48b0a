import IPVS
import Kube
import Testing
import Values

@testable import Proxy

/// The same objects give the kernel state kube-proxy's IPVS mode gives them (issue 13, items 1-8). The reference
/// is kube-proxy's code: `pkg/proxy/ipvs/proxier.go`, `serviceport.go`, `endpointslicecache.go`, `topology.go`.
@Suite struct KubeProxySemanticsTests {
    /// Addresses of one family, so that each rule is checked for both.
    struct Family: Sendable, CustomTestStringConvertible {
        let name: String
        let sliceType: String
        let vip: String
        let external: String
        let loadBalancer: String
        let node: String
        let pod: @Sendable (Int) -> String
        var testDescription: String { name }

        func key(_ address: String, _ port: UInt16, _ proto: IPVSProtocol = .tcp) -> VirtualServerKey {
            .service(proto, F.ip(address), port: port)
        }

        func real(_ number: Int) -> String { F.ip(pod(number)).withPort(8080) }
    }

    static let v4 = Family(
        name: "IPv4", sliceType: "IPv4", vip: "10.96.0.10", external: "203.0.113.7", loadBalancer: "198.51.100.9",
        node: "192.168.1.5", pod: { "10.244.0.\($0)" })
    static let v6 = Family(
        name: "IPv6", sliceType: "IPv6", vip: "fd00:96::10", external: "2001:db8::7", loadBalancer: "2001:db8::9",
        node: "fd00:1::5", pod: { "fd00:244::\($0)" })
    static let families = [v4, v6]

    let config = ProxyConfiguration(
        nodeName: "node-a", nodePortAddresses: [F.ip("192.168.1.5"), F.ip("fd00:1::5")])

    func translate(
        _ service: ValidatedService, _ slices: [ValidatedEndpointSlice] = [], config: ProxyConfiguration? = nil
    )
        -> ServiceTranslator.Output
    {
        ServiceTranslator.translate(service, slices: slices, configuration: config ?? self.config)
    }

    func reals(_ output: ServiceTranslator.Output, _ key: VirtualServerKey) -> [String] {
        guard let server = output.virtualServers.first(where: { $0.key == key }) else { return ["<no virtual server>"] }
        return server.realServers.values.map { $0.address.withPort($0.port) }.sorted()
    }

    /// A Service `web` with a spec and an optional load-balancer status (YAML lines, indented by two spaces).
    func service(_ spec: String, status: String = "") throws -> ValidatedService {
        try Objects.service(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
            \(spec)
            status:
              loadBalancer:
            \(status.isEmpty ? "    ingress: []" : status)
            """)
    }

    /// A slice of `web` with endpoint lines written out (each starting with `  - addresses:`).
    func slice(_ family: Family, _ endpoints: [String], ports: String = "  - {name: http, protocol: TCP, port: 8080}")
        throws -> ValidatedEndpointSlice
    {
        try Objects.slice(
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-abc, namespace: default, labels: {kubernetes.io/service-name: web}}
            addressType: \(family.sliceType)
            endpoints:
            \(endpoints.joined(separator: "\n"))
            ports:
            \(ports)
            """)
    }

    // MARK: 1. LoadBalancer ingress with ipMode Proxy

    @Test(arguments: families)
    func loadBalancerIngressInProxyModeGetsNoVirtualServerNorVIP(_ family: Family) throws {
        let spec = "  type: LoadBalancer\n  clusterIPs: [\"\(family.vip)\"]\n  ports: [{name: http, port: 80}]"
        let status = "    ingress: [{ip: \"\(family.external)\", ipMode: Proxy}, {ip: \"\(family.loadBalancer)\"}]"
        let output = translate(try service(spec, status: status))
        #expect(
            Set(output.virtualServers.map(\.key)) == [family.key(family.vip, 80), family.key(family.loadBalancer, 80)])
        #expect(output.boundAddresses == [F.ip(family.vip), F.ip(family.loadBalancer)])
    }

    // MARK: 2. Each family only for Services of that family

    struct FamilyCase: Sendable, CustomTestStringConvertible {
        let name: String
        let spec: String
        var status = ""
        let keys: Set<String>
        let bound: Set<String>
        var diagnostics: [ServiceDiagnostic.Code] = []
        var testDescription: String { name }
    }

    static let familyCases: [FamilyCase] = [
        FamilyCase(
            name: "IPv4 NodePort Service: IPv4 node addresses only",
            spec: "  type: NodePort\n  clusterIPs: [10.96.0.10]\n  ports: [{name: http, port: 80, nodePort: 30080}]",
            keys: ["TCP 10.96.0.10:80", "TCP 192.168.1.5:30080"], bound: ["10.96.0.10"]),
        FamilyCase(
            name: "IPv6 NodePort Service: IPv6 node addresses only",
            spec:
                "  type: NodePort\n  clusterIPs: [\"fd00:96::10\"]\n  ports: [{name: http, port: 80, nodePort: 30080}]",
            keys: ["TCP [fd00:96::10]:80", "TCP [fd00:1::5]:30080"], bound: ["fd00:96::10"]),
        FamilyCase(
            name: "dual-stack NodePort Service: both",
            spec: "  type: NodePort\n  clusterIPs: [10.96.0.10, \"fd00:96::10\"]\n"
                + "  ports: [{name: http, port: 80, nodePort: 30080}]",
            keys: ["TCP 10.96.0.10:80", "TCP [fd00:96::10]:80", "TCP 192.168.1.5:30080", "TCP [fd00:1::5]:30080"],
            bound: ["10.96.0.10", "fd00:96::10"]),
        FamilyCase(
            name: "IPv4 Service: an IPv6 external IP is not served",
            spec:
                "  clusterIPs: [10.96.0.10]\n  externalIPs: [203.0.113.7, \"2001:db8::7\"]\n  ports: [{name: http, port: 80}]",
            keys: ["TCP 10.96.0.10:80", "TCP 203.0.113.7:80"], bound: ["10.96.0.10", "203.0.113.7"],
            diagnostics: [.otherFamily]),
        FamilyCase(
            name: "IPv6 Service: an IPv4 external IP is not served",
            spec: "  clusterIPs: [\"fd00:96::10\"]\n  externalIPs: [203.0.113.7, \"2001:db8::7\"]\n"
                + "  ports: [{name: http, port: 80}]",
            keys: ["TCP [fd00:96::10]:80", "TCP [2001:db8::7]:80"], bound: ["fd00:96::10", "2001:db8::7"],
            diagnostics: [.otherFamily]),
        FamilyCase(
            name: "IPv4 Service: an IPv6 load-balancer IP is not served",
            spec: "  type: LoadBalancer\n  clusterIPs: [10.96.0.10]\n  ports: [{name: http, port: 80}]",
            status: "    ingress: [{ip: 198.51.100.9}, {ip: \"2001:db8::9\"}]",
            keys: ["TCP 10.96.0.10:80", "TCP 198.51.100.9:80"], bound: ["10.96.0.10", "198.51.100.9"],
            diagnostics: [.otherFamily]),
        FamilyCase(
            name: "IPv6 Service: an IPv4 load-balancer IP is not served",
            spec: "  type: LoadBalancer\n  clusterIPs: [\"fd00:96::10\"]\n  ports: [{name: http, port: 80}]",
            status: "    ingress: [{ip: 198.51.100.9}, {ip: \"2001:db8::9\"}]",
            keys: ["TCP [fd00:96::10]:80", "TCP [2001:db8::9]:80"], bound: ["fd00:96::10", "2001:db8::9"],
            diagnostics: [.otherFamily]),
        FamilyCase(
            name: "manifest Service without a cluster IP: every family (deliberate)",
            spec: "  type: NodePort\n  externalIPs: [203.0.113.7, \"2001:db8::7\"]\n"
                + "  ports: [{name: http, port: 80, nodePort: 30080}]",
            keys: ["TCP 203.0.113.7:80", "TCP [2001:db8::7]:80", "TCP 192.168.1.5:30080", "TCP [fd00:1::5]:30080"],
            bound: ["203.0.113.7", "2001:db8::7"]),
    ]

    @Test(arguments: familyCases)
    func eachFamilyIsProgrammedOnlyForServicesOfThatFamily(_ testCase: FamilyCase) throws {
        let output = translate(try service(testCase.spec, status: testCase.status))
        #expect(Set(output.virtualServers.map(\.key.description)) == testCase.keys)
        #expect(output.boundAddresses == Set(testCase.bound.map(F.ip)))
        #expect(output.diagnostics.map(\.code) == testCase.diagnostics)
    }

    @Test func theOtherFamilyDiagnosticNamesTheFieldAndTheAddresses() throws {
        let spec =
            "  clusterIPs: [10.96.0.10]\n  externalIPs: [\"2001:db8::7\", \"2001:db8::8\"]\n  ports: [{name: http, port: 80}]"
        let output = translate(try service(spec))
        #expect(
            output.diagnostics.map(\.description) == [
                "services/default/web: spec.externalIPs: \"2001:db8::7\", \"2001:db8::8\" are IPv6 but the Service's"
                    + " cluster IPs are IPv4 only; not served (as kube-proxy, which serves a family only for Services"
                    + " of it)"
            ])
    }
}
