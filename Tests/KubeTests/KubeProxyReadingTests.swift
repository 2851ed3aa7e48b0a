import Testing
import Values

@testable import Kube

/// EndpointSlices and Services are read as kube-proxy reads them (`pkg/proxy/endpointslicecache.go`,
/// `pkg/proxy/serviceport.go`): what kube-proxy skips is skipped alone, and absent fields take kube-proxy's
/// defaults.
@Suite struct KubeProxyReadingTests {
    static func slice(
        addressType: String = "IPv4",
        endpoints: [EndpointSlice.Endpoint] = [EndpointSlice.Endpoint(addresses: ["10.0.0.1"])],
        ports: [EndpointSlice.Port] = [EndpointSlice.Port(name: "http", protocol: "TCP", port: 8080)]
    ) -> EndpointSlice {
        EndpointSlice(
            metadata: ObjectMeta(name: "web-1", namespace: "default", labels: [EndpointSlice.serviceNameLabel: "web"]),
            addressType: addressType, endpoints: endpoints, ports: ports)
    }

    struct PortCase: Sendable, CustomTestStringConvertible {
        let name: String
        let bad: EndpointSlice.Port
        let warning: String
        var testDescription: String { name }
    }

    static let badPorts: [PortCase] = [
        PortCase(
            name: "no number", bad: EndpointSlice.Port(name: "dns", protocol: "UDP"),
            warning: "endpointslices/default/web-1: ports[0].port: port has no number; port dropped"),
        PortCase(
            name: "number 0", bad: EndpointSlice.Port(name: "dns", protocol: "UDP", port: 0),
            warning: "endpointslices/default/web-1: ports[0].port: port has no number; port dropped"),
        PortCase(
            name: "out of range", bad: EndpointSlice.Port(name: "dns", protocol: "UDP", port: 65536),
            warning: "endpointslices/default/web-1: ports[0].port: 65536 is out of range 1-65535; port dropped"),
        PortCase(
            name: "unknown protocol", bad: EndpointSlice.Port(name: "dns", protocol: "QUIC", port: 53),
            warning:
                "endpointslices/default/web-1: ports[0].protocol: unknown protocol \"QUIC\" (expected TCP, UDP or SCTP);"
                + " port dropped"),
    ]

    /// kube-proxy skips a port without a number ("Ignoring invalid endpoint port") and keeps the slice's others.
    @Test(arguments: badPorts)
    func aBadPortIsDroppedNotItsSlice(_ testCase: PortCase) throws {
        let good = EndpointSlice.Port(name: "http", protocol: "TCP", port: 8080)
        let result = try EndpointSliceValidator.validate(Self.slice(ports: [testCase.bad, good]))
        #expect(result.slice.ports == [.init(name: "http", protocol: .tcp, port: 8080)])
        #expect(result.slice.endpoints.map(\.address.description) == ["10.0.0.1"])
        #expect(result.warnings.map(\.description) == [testCase.warning])
    }

    /// kube-proxy uses an endpoint's first address only; the others are not read, so a bad one harms nothing.
    @Test(arguments: [
        ("IPv4", ["10.0.0.1", "10.0.0.2"], "10.0.0.1"),
        ("IPv4", ["10.0.0.1", "not-an-ip"], "10.0.0.1"),
        ("IPv4", ["10.0.0.1", "fd00::1"], "10.0.0.1"),
        ("IPv6", ["fd00::1", "fd00::2"], "fd00::1"),
        ("IPv6", ["fd00::1", "10.0.0.1"], "fd00::1"),
    ])
    func onlyTheFirstAddressOfAnEndpointIsUsed(addressType: String, addresses: [String], used: String) throws {
        let result = try EndpointSliceValidator.validate(
            Self.slice(addressType: addressType, endpoints: [EndpointSlice.Endpoint(addresses: addresses)]))
        #expect(result.slice.endpoints.map(\.address.description) == [used])
        #expect(result.warnings.isEmpty)
    }

    /// Absent ready and serving mean true, absent terminating false, each on its own (kube-proxy's
    /// `ready == nil || *ready`, `serving == nil || *serving`, `terminating != nil && *terminating`).
    @Test(
        arguments: [
            (nil, nil, nil, true, true, false),
            (false, nil, true, false, true, true),
            (false, nil, nil, false, true, false),
            (true, nil, nil, true, true, false),
            (nil, false, nil, true, false, false),
            (false, false, true, false, false, true),
            (true, true, false, true, true, false),
        ] as [(Bool?, Bool?, Bool?, Bool, Bool, Bool)])
    func absentConditionsTakeKubeProxysDefaults(
        ready: Bool?, serving: Bool?, terminating: Bool?, isReady: Bool, isServing: Bool, isTerminating: Bool
    ) throws {
        let conditions = EndpointSlice.Conditions(ready: ready, serving: serving, terminating: terminating)
        let endpoint = EndpointSlice.Endpoint(addresses: ["10.0.0.1"], conditions: conditions)
        let result = try EndpointSliceValidator.validate(Self.slice(endpoints: [endpoint]))
        let validated = try #require(result.slice.endpoints.first)
        #expect([validated.ready, validated.serving, validated.terminating] == [isReady, isServing, isTerminating])
    }

    /// Only VIP-style load balancers' ingress IPs are served (kube-proxy's `IsVIPMode`): with `ipMode: Proxy` the
    /// load balancer sends traffic to the node ports itself.
    @Test(
        arguments: [
            (nil, "198.51.100.7", true),
            ("VIP", "198.51.100.7", true),
            ("Proxy", "198.51.100.7", false),
            (nil, "2001:db8::7", true),
            ("VIP", "2001:db8::7", true),
            ("Proxy", "2001:db8::7", false),
        ] as [(String?, String, Bool)])
    func loadBalancerIngressInProxyModeIsNotServed(ipMode: String?, ip: String, served: Bool) throws {
        let service = try ServiceValidator.validate(
            ValidationTests.service {
                $0.spec?.type = "LoadBalancer"
                $0.status = .init(loadBalancer: .init(ingress: [.init(ip: ip, ipMode: ipMode)]))
            })
        #expect(service.loadBalancerIngressIPs.map(\.description) == (served ? [ip] : []))
    }

    @Test func anUnknownIPModeIsRejectedNamingTheField() {
        do {
            _ = try ServiceValidator.validate(
                ValidationTests.service {
                    $0.status = .init(loadBalancer: .init(ingress: [.init(ip: "198.51.100.7", ipMode: "Tunnel")]))
                })
            Issue.record("accepted")
        } catch {
            #expect(
                error.description
                    == "services/default/web: status.loadBalancer.ingress[0].ipMode: unsupported value \"Tunnel\""
                    + " (expected VIP or Proxy)")
        }
    }
}
