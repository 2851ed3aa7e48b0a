import Values
import IPVS
import Kube
import Testing

@testable import Proxy

@Suite struct MasqueradePolicyTests {
    static let v4 = MasqueradeConfiguration(clusterCIDRs: [AddressPrefix("10.244.0.0/16")].compactMap { $0 })
    static let none = MasqueradeConfiguration()
    static let all = MasqueradeConfiguration(masqueradeAll: true)

    @Test(arguments: [
        // role, family, configuration, expected rule, what
        (
            VirtualServerRole.clusterIP, AddressFamily.ipv4, v4, MasqueradeRule?.some(.fromOutsideCluster),
            "cluster IP, CIDR known"
        ),
        (.clusterIP, .ipv6, v4, nil, "cluster IP, no CIDR of its family"),
        (.clusterIP, .ipv4, none, nil, "cluster IP, no CIDR at all"),
        (.nodePort(.cluster), .ipv4, v4, .fromOutsideCluster, "NodePort, CIDR known"),
        (.nodePort(.cluster), .ipv6, v4, .always, "NodePort, no CIDR of its family"),
        (.nodePort(.local), .ipv4, v4, nil, "NodePort, Local keeps the client address"),
        (.external(.cluster), .ipv4, v4, .fromOutsideCluster, "external IP, CIDR known"),
        (.external(.cluster), .ipv4, none, .always, "external IP, no CIDR"),
        (.external(.local), .ipv4, none, nil, "external IP, Local"),
        (.clusterIP, .ipv4, all, .always, "masquerade-all: cluster IP"),
        (.nodePort(.local), .ipv6, all, .always, "masquerade-all: even Local"),
    ])
    func rules(
        role: VirtualServerRole, family: AddressFamily, configuration: MasqueradeConfiguration,
        expected: MasqueradeRule?, what: String
    ) {
        #expect(MasqueradePolicy.rule(for: role, family: family, configuration: configuration) == expected, "\(what)")
    }

    @Test func translatedVirtualServersCarryTheirRoleAndPolicy() throws {
        let spec = """
              type: LoadBalancer
              clusterIP: 10.96.0.10
              externalTrafficPolicy: Local
              externalIPs: [203.0.113.7]
              ports:
              - {name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: 30080}
            """
        let output = ServiceTranslator.translate(
            try Objects.web(spec: spec), slices: [],
            configuration: ProxyConfiguration(nodeName: "node-a", nodePortAddresses: [F.ip("192.168.1.5")]))
        let roles = Dictionary(output.virtualServers.map { ($0.key, $0.role) }, uniquingKeysWith: { a, _ in a })
        #expect(
            roles == [
                F.key(.tcp, "10.96.0.10", 80): .clusterIP, F.key(.tcp, "203.0.113.7", 80): .external(.local),
                F.key(.tcp, "192.168.1.5", 30080): .nodePort(.local),
            ])
    }
}
