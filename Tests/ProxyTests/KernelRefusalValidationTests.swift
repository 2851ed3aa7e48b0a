import IPVS
import Kube
import Testing

@testable import Proxy

/// What the kernel (or the API server) would refuse is caught before anything is sent: endpoint addresses that
/// cannot be real servers, and persistence prefixes a family does not take. Each is left out or falls back, with
/// a diagnostic naming the object and the field; the rest of the Service is programmed.
@Suite struct KernelRefusalValidationTests {
    let config = ProxyConfiguration(nodeName: "node-a")
    let spec = """
          clusterIP: 10.96.0.10
          ports:
          - {name: http, protocol: TCP, port: 80}
        """

    @Test(
        arguments: [
            ("0.0.0.0", EndpointAddressProblem.unspecified),
            ("::", .unspecified),
            ("0.1.2.3", .thisNetwork),
            ("127.0.0.1", .loopback),
            ("127.255.0.9", .loopback),
            ("::1", .loopback),
            ("169.254.10.1", .linkLocal),
            ("fe80::1", .linkLocal),
            ("febf::1", .linkLocal),
            ("224.0.0.1", .multicast),
            ("239.1.2.3", .multicast),
            ("ff02::1", .multicast),
            ("ff0e::1", .multicast),
            ("255.255.255.255", .broadcast),
            ("::ffff:10.0.0.1", .ipv4Mapped),
        ])
    func addressesThatCannotBeRealServers(address: String, problem: EndpointAddressProblem) {
        #expect(EndpointAddressProblem.of(F.ip(address)) == problem)
    }

    @Test(arguments: [
        "10.244.0.10", "1.0.0.1", "192.168.1.255", "223.255.255.255", "240.0.0.1", "fd00::1", "2001:db8::1", "fec0::1",
        "64:ff9b::a00:1",
    ])
    func unicastAddressesAreFine(address: String) {
        #expect(EndpointAddressProblem.of(F.ip(address)) == nil)
    }

    @Test(arguments: [
        ("239.1.2.3", "is a multicast address"), ("255.255.255.255", "is the broadcast address"),
        ("0.0.0.0", "is the unspecified address"), ("169.254.1.1", "is a link-local address"),
        ("127.0.0.1", "is a loopback address"), ("0.0.0.7", "is in 0.0.0.0/8"),
    ])
    func anEndpointTheKernelWouldRefuseIsLeftOutAndReportedNamingTheSliceAndField(address: String, says: String) throws
    {
        let slice = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10"), Objects.ready(address)])
        let output = ServiceTranslator.translate(try Objects.web(spec: spec), slices: [slice], configuration: config)
        let server = try #require(output.virtualServers.first)
        #expect(server.realServers.values.map(\.address) == [F.ip("10.244.0.10")], "the rest is programmed")
        #expect(output.diagnostics.map(\.code) == [.refusedEndpoint])
        let text = try #require(output.diagnostics.first?.description)
        #expect(
            text.hasPrefix("services/default/web: endpointslices/default/web-abc endpoints[].addresses: "), "\(text)")
        #expect(text.contains("\"\(address)\" \(says)"), "\(text)")
        #expect(text.hasSuffix("; left out of the real servers"), "\(text)")
    }

    @Test func oneDiagnosticPerSliceAndProblemNamesAFewAddresses() throws {
        let bad = (1...7).map { Objects.ready("239.1.2.\($0)") } + [Objects.ready("255.255.255.255")]
        let slice = try Objects.webSlice(endpoints: bad)
        let output = ServiceTranslator.translate(try Objects.web(spec: spec), slices: [slice], configuration: config)
        #expect(output.virtualServers.first?.realServers.isEmpty == true)
        #expect(output.diagnostics.count == 2)
        #expect(
            output.diagnostics.first?.message
                == "\"239.1.2.1\", \"239.1.2.2\", \"239.1.2.3\", \"239.1.2.4\", \"239.1.2.5\" and 2 more are each a"
                + " multicast address, which the kernel refuses as a real server; left out of the real servers")
        #expect(output.diagnostics.last?.message.hasPrefix("\"255.255.255.255\" is the broadcast address") == true)
    }

    @Test func theTrackerReportsItOnTheServiceAndForgetsItWhenFixed() throws {
        var tracker = DesiredStateTracker(configuration: config)
        tracker.apply(.upsert(.service(try Objects.web(spec: spec))))
        let bad = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10"), Objects.ready("239.1.2.3")])
        tracker.apply(.upsert(.endpointSlice(bad)))
        #expect(tracker.diagnostics.values.flatMap { $0 }.map(\.code) == [.refusedEndpoint])
        #expect(tracker.desired.virtualServers[F.web]?.realServers.count == 1)
        tracker.apply(.upsert(.endpointSlice(try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10")]))))
        #expect(tracker.diagnostics.isEmpty)
    }

    @Test(
        arguments: [
            // annotation, IPv4 prefix, IPv6 prefix, diagnostic
            ("24", 24, 24, false),
            ("64", 32, 64, false),
            ("128", 32, 128, false),
            ("1", 1, 1, false),
            ("0", 0, 128, true),
        ] as [(String, UInt8, UInt8, Bool)])
    func aPersistencePrefixIsWhatEachFamilyTakes(annotation: String, v4: UInt8, v6: UInt8, reported: Bool) throws {
        let dual = """
              clusterIPs: [10.96.0.10, "fd00:96::10"]
              ipFamilies: [IPv4, IPv6]
              sessionAffinity: ClientIP
              ports:
              - {name: http, protocol: TCP, port: 80}
            """
        let metadata = "  annotations: {ipvs-proxy.io/persistence-prefix-length: \"\(annotation)\"}"
        let output = ServiceTranslator.translate(
            try Objects.web(spec: dual, metadata: metadata), slices: [], configuration: config)
        let prefixes = Dictionary(
            output.virtualServers.map { ($0.key, $0.server.persistence?.prefixLength) }, uniquingKeysWith: { a, _ in a }
        )
        #expect(prefixes[F.web] == v4)
        #expect(prefixes[F.key(.tcp, "fd00:96::10", 80)] == v6)
        #expect(output.diagnostics.map(\.code) == (reported ? [.badAnnotation] : []))
        if reported {
            #expect(
                output.diagnostics.first?.description
                    == "services/default/web: metadata.annotations[ipvs-proxy.io/persistence-prefix-length]: 0 is not a"
                    + " prefix length the kernel takes for IPv6 (1-128); IPv6 virtual servers keep each client on its"
                    + " own (/128)")
        }
    }

    @Test func anIPv4OnlyServiceTakesPrefixZero() throws {
        let metadata = "  annotations: {ipvs-proxy.io/persistence-prefix-length: \"0\"}"
        let output = ServiceTranslator.translate(
            try Objects.web(spec: spec + "\n  sessionAffinity: ClientIP", metadata: metadata), slices: [],
            configuration: config)
        #expect(output.virtualServers.first?.server.persistence?.prefixLength == 0)
        #expect(output.diagnostics.isEmpty)
    }

    @Test(arguments: ["129", "-1", "abc", "24.5"])
    func aPrefixNoFamilyTakesIsIgnored(annotation: String) throws {
        let metadata = "  annotations: {ipvs-proxy.io/persistence-prefix-length: \"\(annotation)\"}"
        let output = ServiceTranslator.translate(
            try Objects.web(spec: spec + "\n  sessionAffinity: ClientIP", metadata: metadata), slices: [],
            configuration: config)
        #expect(output.virtualServers.first?.server.persistence?.prefixLength == 32)
        #expect(output.diagnostics.map(\.code) == [.badAnnotation])
        #expect(output.diagnostics.first?.message.contains("(0-32 for IPv4, 1-128 for IPv6)") == true)
    }
}
