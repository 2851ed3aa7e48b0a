import Values
import IPVS
import Kube
import Testing

@testable import Proxy

/// `spec.loadBalancerSourceRanges` read as kube-proxy reads it (`newBaseServiceInfo`), one row per rule and family.
@Suite struct SourceRangesTests {
    static func service(_ ranges: [String]) throws -> ValidatedService {
        let list = ranges.map { "\"\($0)\"" }.joined(separator: ", ")
        return try Objects.web(
            spec: """
                  type: LoadBalancer
                  clusterIPs: [10.96.0.10, fd00:96::a]
                  ipFamilies: [IPv4, IPv6]
                  loadBalancerSourceRanges: [\(list)]
                  ports:
                  - {name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: 30080}
                """)
    }

    static let node: Set<IPAddress> = [F.ip("192.168.1.5"), F.ip("fd00:1::5")]

    static func ranges(_ texts: [String], node: Bool) -> SourceRanges {
        SourceRanges(texts.map(F.prefix), admitsNode: node)
    }

    @Test(arguments: [
        // ranges as written, expected v4, expected v6, diagnostic fields, what
        ([String](), SourceRanges?.none, SourceRanges?.none, [String](), "none: unrestricted"),
        (["192.0.2.0/24"], ranges(["192.0.2.0/24"], node: false), nil, [], "v4 range; v6 unrestricted (per family)"),
        (["2001:db8::/32"], nil, ranges(["2001:db8::/32"], node: false), [], "v6 range; v4 unrestricted"),
        ([" 192.0.2.0/24\t"], ranges(["192.0.2.0/24"], node: false), nil, [], "white space trimmed, as kube-proxy"),
        (["192.0.2.7/24"], ranges(["192.0.2.0/24"], node: false), nil, [], "v4 host bits cleared"),
        (["2001:db8::7/32"], nil, ranges(["2001:db8::/32"], node: false), [], "v6 host bits cleared"),
        (["10.0.0.0/8", "10.1.0.0/16"], ranges(["10.0.0.0/8"], node: false), nil, [], "v4 nested range dropped"),
        (["fd00::/8", "fd00:1::/32"], nil, ranges(["fd00::/8"], node: true), [], "v6 nested range; node inside"),
        (["192.168.1.0/24"], ranges(["192.168.1.0/24"], node: true), nil, [], "v4 range holding a node address"),
        (["0.0.0.0/0", "192.0.2.0/24"], nil, nil, [], "v4 zero-length range: allow any"),
        (["::/0"], nil, nil, [], "v6 zero-length range: allow any"),
        (
            ["192.0.2.0/24", "192.0.2.0/33", ""], ranges(["192.0.2.0/24"], node: false), nil,
            ["spec.loadBalancerSourceRanges[1]"], "an invalid entry reported and left out; empty skipped"
        ),
        (
            ["2001:db8::/129", "2001:db8::/32"], nil, ranges(["2001:db8::/32"], node: false),
            ["spec.loadBalancerSourceRanges[0]"], "an invalid v6 entry reported and left out"
        ),
        (
            ["10.0.0.0"], ranges([], node: false), ranges([], node: false),
            ["spec.loadBalancerSourceRanges[0]", "spec.loadBalancerSourceRanges"],
            "no valid entry at all: no client admitted, in either family"
        ),
    ])
    func rules(
        written: [String], v4: SourceRanges?, v6: SourceRanges?, fields: [String], what: String
    ) throws {
        let (ranges, diagnostics) = ServiceTranslator.sourceRanges(
            of: try Self.service(written), nodeAddresses: Self.node)
        #expect(ranges[.ipv4] == v4, "\(what)")
        #expect(ranges[.ipv6] == v6, "\(what)")
        #expect(diagnostics.map(\.field) == fields, "\(what)")
        #expect(diagnostics.allSatisfy { $0.code == .badSourceRange && $0.service == "default/web" })
    }

    @Test func onlyTheLoadBalancerIPsOfTheServiceAreGuardedAndItsOtherServicesUntouched() throws {
        var service = try Self.service(["192.0.2.0/24", "nonsense"])
        service.externalIPs = [F.ip("203.0.113.7")]
        service.loadBalancerIngressIPs = [F.ip("203.0.113.10"), F.ip("2001:db8::10")]
        let output = ServiceTranslator.translate(
            service, slices: [],
            configuration: ProxyConfiguration(
                nodeName: "node-a", nodePortAddresses: [F.ip("192.168.1.5")], otherInterfaceAddresses: Self.node))
        let guarded = Dictionary(
            output.virtualServers.map { ($0.key, $0.sourceRanges) }, uniquingKeysWith: { first, _ in first })
        #expect(guarded[F.key(.tcp, "203.0.113.10", 80)] == Self.ranges(["192.0.2.0/24"], node: false))
        #expect(guarded[F.key(.tcp, "2001:db8::10", 80)] == .some(nil), "no v6 range: the v6 IP is open")
        #expect(guarded[F.key(.tcp, "203.0.113.7", 80)] == .some(nil), "an external IP is not a load balancer")
        #expect(guarded[F.key(.tcp, "10.96.0.10", 80)] == .some(nil))
        #expect(guarded[F.key(.tcp, "192.168.1.5", 30080)] == .some(nil), "NodePorts are not guarded, as kube-proxy")
        #expect(output.virtualServers.count == 6, "the bad entry harms nothing else")
        #expect(
            output.diagnostics.map(\.description) == [
                "services/default/web: spec.loadBalancerSourceRanges[1]: \"nonsense\" is not a CIDR"
                    + " (address/length); left out, the other ranges apply"
            ])
    }

    @Test(arguments: [
        ("LoadBalancer", "Local", UInt16?.some(32000)), ("LoadBalancer", "Cluster", nil), ("NodePort", "Local", nil),
    ])
    func theHealthCheckNodePortComesWithALoadBalancerOfPolicyLocal(type: String, policy: String, expected: UInt16?)
        throws
    {
        let service = try Objects.web(
            spec: """
                  type: \(type)
                  clusterIP: 10.96.0.10
                  externalTrafficPolicy: \(policy)
                  healthCheckNodePort: 32000
                  ports:
                  - {name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: 30080}
                """)
        let output = ServiceTranslator.translate(service, slices: [], configuration: ProxyConfiguration())
        #expect(output.virtualServers.map(\.healthCheckNodePort) == [expected])
    }
}
