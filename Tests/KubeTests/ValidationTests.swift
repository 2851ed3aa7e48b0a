import Testing
import Values

@testable import Kube

@Suite("Validation")
struct ValidationTests {
    static func service(_ mutate: (inout Service) -> Void = { _ in }) -> Service {
        var service = Service(
            metadata: ObjectMeta(name: "web", namespace: "default"),
            spec: Service.Spec(
                type: "ClusterIP", clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10"],
                ports: [
                    Service.Port(name: "http", protocol: "TCP", port: 80, targetPort: .int(8080)),
                    Service.Port(name: "dns", protocol: "UDP", port: 53, targetPort: .string("dns")),
                ]))
        mutate(&service)
        return service
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let mutate: @Sendable (inout Service) -> Void
        let expected: String
        var testDescription: String { name }
    }

    static let invalidServices: [Case] = [
        Case(
            name: "port too large", mutate: { $0.spec?.ports?[1].port = 70000 },
            expected: "services/default/web: spec.ports[1].port: 70000 is out of range 1-65535"),
        Case(
            name: "port zero", mutate: { $0.spec?.ports?[0].port = 0 },
            expected: "services/default/web: spec.ports[0].port: 0 is out of range 1-65535"),
        Case(
            name: "port missing", mutate: { $0.spec?.ports?[0].port = nil },
            expected: "services/default/web: spec.ports[0].port: is required"),
        Case(
            name: "target port out of range", mutate: { $0.spec?.ports?[0].targetPort = .int(65536) },
            expected: "services/default/web: spec.ports[0].targetPort: 65536 is out of range 1-65535"),
        Case(
            name: "node port out of range", mutate: { $0.spec?.ports?[0].nodePort = -1 },
            expected: "services/default/web: spec.ports[0].nodePort: -1 is out of range 1-65535"),
        Case(
            name: "unknown protocol", mutate: { $0.spec?.ports?[1].protocol = "ICMP" },
            expected:
                "services/default/web: spec.ports[1].protocol: unknown protocol \"ICMP\" (expected TCP, UDP or SCTP)"),
        Case(
            name: "lower-case protocol", mutate: { $0.spec?.ports?[0].protocol = "tcp" },
            expected:
                "services/default/web: spec.ports[0].protocol: unknown protocol \"tcp\" (expected TCP, UDP or SCTP)"),
        Case(
            name: "missing name", mutate: { $0.metadata.name = nil },
            expected: "services/default/<unnamed>: metadata.name: is required"),
        Case(
            name: "empty name", mutate: { $0.metadata.name = "" },
            expected: "services/default/<unnamed>: metadata.name: is required"),
        Case(
            name: "bad cluster IP", mutate: { $0.spec?.clusterIPs = ["10.96.0.300"] },
            expected: "services/default/web: spec.clusterIPs[0]: \"10.96.0.300\" is not a valid IP address"),
        Case(
            name: "bad single cluster IP",
            mutate: {
                $0.spec?.clusterIPs = nil; $0.spec?.clusterIP = "web"
            },
            expected: "services/default/web: spec.clusterIP: \"web\" is not a valid IP address"),
        Case(
            name: "clusterIP differs from clusterIPs[0]", mutate: { $0.spec?.clusterIP = "10.96.0.11" },
            expected: "services/default/web: spec.clusterIP: 10.96.0.11 differs from spec.clusterIPs[0]"),
        Case(
            name: "bad external IP", mutate: { $0.spec?.externalIPs = ["203.0.113.1", "example.com"] },
            expected: "services/default/web: spec.externalIPs[1]: \"example.com\" is not a valid IP address"),
        Case(
            name: "bad ingress IP",
            mutate: { $0.status = .init(loadBalancer: .init(ingress: [.init(ip: "1.2.3")])) },
            expected: "services/default/web: status.loadBalancer.ingress[0].ip: \"1.2.3\" is not a valid IP address"),
        Case(
            name: "unknown type", mutate: { $0.spec?.type = "Magic" },
            expected:
                "services/default/web: spec.type: unsupported value \"Magic\" (expected one of ClusterIP, NodePort, LoadBalancer, ExternalName)"
        ),
        Case(
            name: "unnamed port among several", mutate: { $0.spec?.ports?[1].name = nil },
            expected: "services/default/web: spec.ports[1].name: is required when a Service has several ports"),
        Case(
            name: "affinity timeout",
            mutate: {
                $0.spec?.sessionAffinity = "ClientIP"
                $0.spec?.sessionAffinityConfig = .init(clientIP: .init(timeoutSeconds: 86401))
            },
            expected:
                "services/default/web: spec.sessionAffinityConfig.clientIP.timeoutSeconds: 86401 is out of range 1-86400"
        ),
        Case(
            name: "unknown affinity", mutate: { $0.spec?.sessionAffinity = "Cookie" },
            expected:
                "services/default/web: spec.sessionAffinity: unsupported value \"Cookie\" (expected None or ClientIP)"),
        Case(
            name: "unknown traffic policy", mutate: { $0.spec?.externalTrafficPolicy = "Nearby" },
            expected:
                "services/default/web: spec.externalTrafficPolicy: unsupported value \"Nearby\" (expected one of Cluster, Local)"
        ),
        Case(
            name: "health check port", mutate: { $0.spec?.healthCheckNodePort = 99999 },
            expected: "services/default/web: spec.healthCheckNodePort: 99999 is out of range 1-65535"),
        Case(
            name: "IP family", mutate: { $0.spec?.ipFamilies = ["IPv5"] },
            expected: "services/default/web: spec.ipFamilies[0]: unknown IP family \"IPv5\""),
        Case(
            name: "duplicate port name", mutate: { $0.spec?.ports?[1].name = "http" },
            expected: "services/default/web: spec.ports[1].name: duplicate port name \"http\""),
        Case(
            name: "duplicate port and protocol",
            mutate: {
                $0.spec?.ports?[1].port = 80; $0.spec?.ports?[1].protocol = "TCP"
            },
            expected: "services/default/web: spec.ports[1]: duplicate port 80/TCP"),
        Case(
            name: "invalid name", mutate: { $0.metadata.name = "Web_1" },
            expected:
                "services/default/Web_1: metadata.name: \"Web_1\" is not a valid name (lowercase letters, digits and '-', at most 63)"
        ),
        Case(
            name: "invalid namespace", mutate: { $0.metadata.namespace = "a/b" },
            expected:
                "services/a/b/web: metadata.namespace: \"a/b\" is not a valid namespace (lowercase letters, digits and '-', at most 63)"
        ),
    ]

    @Test(arguments: invalidServices)
    func invalidServiceIsRejectedNamingObjectAndField(_ testCase: Case) {
        #expect(throws: ValidationError.self) { try ServiceValidator.validate(Self.service(testCase.mutate)) }
        do {
            _ = try ServiceValidator.validate(Self.service(testCase.mutate))
        } catch {
            #expect(error.description == testCase.expected)
        }
    }

    @Test func errorCarriesCodeAndFile() {
        do {
            _ = try ServiceValidator.validate(Self.service { $0.spec?.ports?[1].port = 70000 })
            Issue.record("accepted")
        } catch {
            #expect(error.code == .outOfRange)
            #expect(error.message == "services/default/web: spec.ports[1].port: 70000 is out of range 1-65535")
            #expect(
                error.inFile("m/web.yaml").description
                    == "m/web.yaml: services/default/web: spec.ports[1].port: 70000 is out of range 1-65535")
        }
    }

    @Test func samePortOnTwoProtocolsAndDottedSliceNamesAreValid() throws {
        let dns = try ServiceValidator.validate(
            Self.service {
                $0.spec?.ports = [
                    Service.Port(name: "dns-tcp", protocol: "TCP", port: 53),
                    Service.Port(name: "dns-udp", protocol: "UDP", port: 53),
                ]
            })
        #expect(dns.ports.map(\.protocol) == [.tcp, .udp])
        var slice = Self.slice([["10.0.0.1"]])
        slice.metadata.name = "web.abc-12"
        #expect(try EndpointSliceValidator.validate(slice).slice.key.name == "web.abc-12")
    }

    @Test func validServiceVariants() throws {
        let base = try ServiceValidator.validate(Self.service())
        #expect(base.clusterIPs.map(\.description) == ["10.96.0.10"])
        #expect(base.ports[1].targetPort == .name("dns"))
        let headless = try ServiceValidator.validate(
            Self.service {
                $0.spec?.clusterIP = "None"; $0.spec?.clusterIPs = ["None"]
            })
        #expect(headless.isHeadless && headless.clusterIPs.isEmpty)
        let labelled = try ServiceValidator.validate(Self.service { $0.metadata.labels = [Service.headlessLabel: ""] })
        #expect(labelled.isHeadless && labelled.clusterIPs.isEmpty)
        let external = try ServiceValidator.validate(
            Self.service {
                $0.spec = Service.Spec(type: "ExternalName", clusterIP: "", externalName: "example.com")
            })
        #expect(external.type == .externalName && external.clusterIPs.isEmpty)
        let noNamespace = try ServiceValidator.validate(Self.service { $0.metadata.namespace = nil })
        #expect(noNamespace.key == key("default/web"))
        let dual = try ServiceValidator.validate(
            Self.service { $0.spec?.clusterIPs = ["10.96.0.10", "fd00::a"] })
        #expect(dual.clusterIPs.map(\.description) == ["10.96.0.10", "fd00::a"])
        let defaults = try ServiceValidator.validate(
            Self.service {
                $0.spec?.ports = [Service.Port(port: 443)]
                $0.spec?.sessionAffinity = "ClientIP"
            })
        #expect(defaults.ports == [.init(name: "", protocol: .tcp, port: 443, targetPort: .number(443), nodePort: nil)])
        #expect(defaults.sessionAffinity == .clientIP(timeoutSeconds: 10800))
        let proxyName = try ServiceValidator.validate(
            Self.service { $0.metadata.labels = [Service.serviceProxyNameLabel: "other-proxy"] })
        #expect(proxyName.serviceProxyName == "other-proxy")
        let lb = try ServiceValidator.validate(
            Self.service {
                $0.spec?.type = "LoadBalancer"
                $0.status = .init(
                    loadBalancer: .init(ingress: [.init(hostname: "lb.example"), .init(ip: "198.51.100.7")]))
            })
        #expect(lb.loadBalancerIngressIPs.map(\.description) == ["198.51.100.7"])
    }

    /// Only the labels and annotations a service proxy reads are kept: an application's labels and kubectl's copy
    /// of the whole object are not held for every Service.
    @Test func onlyTheLabelsAndAnnotationsAProxyReadsAreKept() throws {
        let service = try ServiceValidator.validate(
            Self.service {
                $0.metadata.labels = [
                    "app.kubernetes.io/name": "web", Service.serviceProxyNameLabel: "p", Service.headlessLabel: "",
                ]
                $0.metadata.annotations = [
                    "kubectl.kubernetes.io/last-applied-configuration": String(repeating: "x", count: 2_000),
                    "ipvs-proxy.io/scheduler": "lc", "ipvs-proxy.io/health-check-typo": "on",
                    "kube-router.io/service.dsr": "tunnel", "example.com/owner": "team-a",
                ]
            })
        #expect(service.labels == [Service.serviceProxyNameLabel: "p", Service.headlessLabel: ""])
        #expect(
            service.annotations == [
                "ipvs-proxy.io/scheduler": "lc", "ipvs-proxy.io/health-check-typo": "on",
                "kube-router.io/service.dsr": "tunnel",
            ])
    }

    static func slice(addressType: String = "IPv4", _ addresses: [[String]]) -> EndpointSlice {
        EndpointSlice(
            metadata: ObjectMeta(name: "web-1", namespace: "default", labels: [EndpointSlice.serviceNameLabel: "web"]),
            addressType: addressType,
            endpoints: addresses.map { EndpointSlice.Endpoint(addresses: $0) },
            ports: [EndpointSlice.Port(name: "http", protocol: "TCP", port: 8080)])
    }

    @Test func invalidEndpointIsDroppedNotItsSlice() throws {
        let result = try EndpointSliceValidator.validate(
            Self.slice([["10.0.0.1"], ["not-an-ip"], ["fd00::1"], [], ["10.0.0.2"]]))
        #expect(result.slice.endpoints.map(\.address.description) == ["10.0.0.1", "10.0.0.2"])
        #expect(
            result.warnings.map(\.description) == [
                "endpointslices/default/web-1: endpoints[1].addresses[0]: \"not-an-ip\" is not an IPv4 address; endpoint dropped",
                "endpointslices/default/web-1: endpoints[2].addresses[0]: \"fd00::1\" is not an IPv4 address; endpoint dropped",
                "endpointslices/default/web-1: endpoints[3].addresses: endpoint has no address; endpoint dropped",
            ])
    }

    @Test func ipv6SliceRejectsIPv4Endpoints() throws {
        let result = try EndpointSliceValidator.validate(Self.slice(addressType: "IPv6", [["fd00::1"], ["10.0.0.1"]]))
        #expect(result.slice.endpoints.map(\.address.description) == ["fd00::1"])
        #expect(result.warnings.count == 1)
    }

    struct SliceCase: Sendable, CustomTestStringConvertible {
        let name: String
        let mutate: @Sendable (inout EndpointSlice) -> Void
        let expected: String
        var testDescription: String { name }
    }

    static let invalidSlices: [SliceCase] = [
        SliceCase(
            name: "address type", mutate: { $0.addressType = "IPv5" },
            expected:
                "endpointslices/default/web-1: addressType: unsupported value \"IPv5\" (expected one of IPv4, IPv6, FQDN)"
        ),
        SliceCase(
            name: "missing address type", mutate: { $0.addressType = nil },
            expected: "endpointslices/default/web-1: addressType: is required"),
        SliceCase(
            name: "missing name", mutate: { $0.metadata.name = nil },
            expected: "endpointslices/default/<unnamed>: metadata.name: is required"),
    ]

    @Test(arguments: invalidSlices)
    func invalidSliceIsRejected(_ testCase: SliceCase) {
        var slice = Self.slice([["10.0.0.1"]])
        testCase.mutate(&slice)
        do {
            _ = try EndpointSliceValidator.validate(slice)
            Issue.record("accepted")
        } catch {
            #expect(error.description == testCase.expected)
        }
    }

    /// The addresses are parsed once, here, into the project's one address type; later stages never parse text.
    @Test func validatedObjectsCarryTypedAddresses() throws {
        let service = try ServiceValidator.validate(
            Self.service {
                $0.spec?.clusterIPs = ["10.96.0.10", "fd00::a"]
                $0.spec?.externalIPs = ["203.0.113.1"]
            })
        #expect(service.clusterIPs == [.v4(IPv4Address(10, 96, 0, 10)), .v6(IPv6Address(high: 0xfd00 << 48, low: 0xa))])
        #expect(service.externalIPs == [.v4(IPv4Address(203, 0, 113, 1))])
        let slice = try EndpointSliceValidator.validate(Self.slice([["10.244.0.7"]])).slice
        #expect(slice.endpoints.first?.address == .v4(IPv4Address(10, 244, 0, 7)))
    }
}
