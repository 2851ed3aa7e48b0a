import Values
import IPVS
import Kube
import Testing

@testable import Proxy

@Suite struct MasqueradePolicyTests {
    static let v4 = MasqueradeConfiguration(clusterCIDRs: [AddressPrefix("10.244.0.0/16")].compactMap { $0 })
    static let v6 = MasqueradeConfiguration(clusterCIDRs: [AddressPrefix("fd00:244::/64")].compactMap { $0 })
    static let none = MasqueradeConfiguration()
    static let all = MasqueradeConfiguration(masqueradeAll: true)

    @Test(arguments: [
        // role, family, configuration, expected rule, what (kube-proxy's KUBE-SERVICES, KUBE-NODE-PORT,
        // KUBE-LOAD-BALANCER chains)
        (
            VirtualServerRole.clusterIP, AddressFamily.ipv4, v4, MasqueradeRule?.some(.fromOutsideCluster),
            "v4 cluster IP, CIDR known: ! -s clusterCIDR"
        ),
        (.clusterIP, .ipv6, v6, .fromOutsideCluster, "v6 cluster IP, CIDR known"),
        (.clusterIP, .ipv6, v4, .fromVirtualServerAddress, "v6 cluster IP, no CIDR of its family: src,dst"),
        (.clusterIP, .ipv4, none, .fromVirtualServerAddress, "v4 cluster IP, no CIDR at all: src,dst"),
        (.nodePort(.cluster), .ipv4, v4, .always, "v4 NodePort, even from a pod (another node's NodePort)"),
        (.nodePort(.cluster), .ipv6, v6, .always, "v6 NodePort, even from a pod"),
        (.nodePort(.cluster), .ipv6, none, .always, "v6 NodePort, no CIDR"),
        (.nodePort(.local), .ipv4, v4, nil, "v4 NodePort, Local keeps the client address"),
        (.nodePort(.local), .ipv6, v6, nil, "v6 NodePort, Local"),
        (.external(.cluster), .ipv4, v4, .always, "v4 external or load-balancer IP, even from a pod"),
        (.external(.cluster), .ipv6, none, .always, "v6 external IP, no CIDR"),
        (.external(.local), .ipv4, none, nil, "v4 external IP, Local"),
        (.external(.local), .ipv6, v6, nil, "v6 external IP, Local"),
        (.clusterIP, .ipv4, all, .always, "masquerade-all: v4 cluster IP"),
        (.clusterIP, .ipv6, all, .always, "masquerade-all: v6 cluster IP"),
        (.nodePort(.local), .ipv6, all, nil, "masquerade-all leaves Local alone (kube-proxy: cluster IPs only)"),
        (.external(.local), .ipv4, all, nil, "masquerade-all leaves a Local external IP alone"),
        (.nodePort(.cluster), .ipv4, all, .always, "masquerade-all: v4 NodePort"),
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
