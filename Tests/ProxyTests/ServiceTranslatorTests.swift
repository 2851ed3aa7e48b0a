import IPVS
import Kube
import Testing

@testable import Proxy

@Suite struct ServiceTranslatorTests {
    let config = ProxyConfiguration(nodeName: "node-a", nodePortAddresses: [F.ip("192.168.1.5")])
    let twoPorts = """
          clusterIP: 10.96.0.10
          ports:
          - {name: http, protocol: TCP, port: 80, targetPort: 8080}
          - {name: dns, protocol: UDP, port: 53, targetPort: dns}
        """

    func translate(_ service: ValidatedService, _ slices: [ValidatedEndpointSlice], config: ProxyConfiguration? = nil)
        -> ServiceTranslator.Output
    {
        ServiceTranslator.translate(service, slices: slices, configuration: config ?? self.config)
    }

    func reals(_ output: ServiceTranslator.Output, _ key: VirtualServerKey) -> [String] {
        guard let server = output.virtualServers.first(where: { $0.key == key }) else { return ["<no virtual server>"] }
        return server.realServers.values.map { $0.address.withPort($0.port) }.sorted()
    }

    @Test func everyPortGetsAVirtualServerWithReadyEndpointsOnTheSlicePortOfTheSameName() throws {
        let slice = try Objects.webSlice(endpoints: [
            Objects.ready("10.244.0.10"), Objects.ready("10.244.0.11"), Objects.terminating("10.244.0.12"),
        ])
        let output = translate(try Objects.web(spec: twoPorts), [slice])
        #expect(Set(output.virtualServers.map(\.key)) == [F.web, F.dns])
        #expect(reals(output, F.web) == ["10.244.0.10:8080", "10.244.0.11:8080"])
        #expect(reals(output, F.dns) == ["10.244.0.10:5353", "10.244.0.11:5353"])
        #expect(output.boundAddresses == [F.ip(F.vip)])
        let server = try #require(output.virtualServers.first)
        #expect(server.server.scheduler == .roundRobin)
        #expect(server.server.persistence == nil)
        #expect(server.realServers.values.allSatisfy { $0.weight == 1 && $0.forwarding == .masquerade })
    }

    @Test func withNoReadyEndpointServingTerminatingOnesAreUsed() throws {
        let slice = try Objects.webSlice(endpoints: [
            Objects.terminating("10.244.0.12"), Objects.terminating("10.244.0.13", serving: false),
            ("10.244.0.14", false, false, false, "node-a"),
        ])
        #expect(reals(translate(try Objects.web(spec: twoPorts), [slice]), F.web) == ["10.244.0.12:8080"])
    }

    @Test func aServiceWithNoEndpointsStillGetsItsVirtualServers() throws {
        let output = translate(try Objects.web(spec: twoPorts), [])
        #expect(output.virtualServers.count == 2)
        #expect(output.virtualServers.allSatisfy { $0.realServers.isEmpty })
    }

    @Test(arguments: [
        ("  clusterIP: None\n  ports: [{name: http, port: 80}]", "", "headless"),
        ("  clusterIP: 10.96.0.10\n  ports: [{name: http, port: 80}]", "  labels: {service.kubernetes.io/headless: \"\"}", "headless label"),
        ("  type: ExternalName\n  externalName: example.com", "", "ExternalName"),
        ("  clusterIP: 10.96.0.10\n  ports: [{name: http, port: 80}]", "  labels: {service.kubernetes.io/service-proxy-name: other}", "another proxy's"),
    ])
    func servicesThatAreNotOursGetNothing(spec: String, metadata: String, what: String) throws {
        let output = translate(try Objects.web(spec: spec, metadata: metadata), [])
        #expect(output.virtualServers.isEmpty, "\(what)")
        #expect(output.boundAddresses.isEmpty, "\(what)")
    }

    /// kube-proxy lists slices with neither label only; the EndpointSlice controller copies a Service's labels to its
    /// slices, so these are slices labelled apart from their Service.
    @Test(
        arguments: [
            ("service.kubernetes.io/headless: \"\"", "service.kubernetes.io/headless", nil),
            ("service.kubernetes.io/service-proxy-name: other", "service.kubernetes.io/service-proxy-name", nil),
            ("service.kubernetes.io/service-proxy-name: \"\"", "service.kubernetes.io/service-proxy-name", nil),
            ("service.kubernetes.io/service-proxy-name: other", "service.kubernetes.io/service-proxy-name", "ours"),
        ] as [(String, String, String?)])
    func aSliceLabelledForAnotherProxyOrHeadlessIsLeftOut(label: String, name: String, proxyName: String?) throws {
        var config = self.config
        config.proxyName = proxyName
        let metadata = proxyName.map { "  labels: {service.kubernetes.io/service-proxy-name: \($0)}" } ?? ""
        let kept = try Objects.webSlice(name: "web-kept", endpoints: [Objects.ready("10.244.0.10")])
        let other = try Objects.webSlice(name: "web-other", labels: label, endpoints: [Objects.ready("10.244.0.11")])
        let output = translate(try Objects.web(spec: twoPorts, metadata: metadata), [kept, other], config: config)
        #expect(reals(output, F.web) == ["10.244.0.10:8080"])
        let diagnostic = try #require(output.diagnostics.first { $0.code == .otherProxysSlice })
        #expect(diagnostic.field == "endpointslices/default/web-other metadata.labels[\(name)]")
        #expect(output.diagnostics.count { $0.code == .otherProxysSlice } == 1)
    }

    @Test func aNamedProxyUsesItsOwnSlicesAndSlicesWithNoProxyName() throws {
        var config = self.config
        config.proxyName = "ours"
        let labelled = try Objects.webSlice(
            name: "web-ours", labels: "service.kubernetes.io/service-proxy-name: ours",
            endpoints: [Objects.ready("10.244.0.10")])
        let plain = try Objects.webSlice(name: "web-plain", endpoints: [Objects.ready("10.244.0.11")])
        let service = try Objects.web(
            spec: twoPorts, metadata: "  labels: {service.kubernetes.io/service-proxy-name: ours}")
        let output = translate(service, [labelled, plain], config: config)
        #expect(reals(output, F.web) == ["10.244.0.10:8080", "10.244.0.11:8080"])
        #expect(!output.diagnostics.contains { $0.code == .otherProxysSlice })
    }

    @Test func nodePortsAreServedOnNodeAddressesAndLocalPolicyKeepsThisNodesEndpoints() throws {
        let spec = """
              type: NodePort
              clusterIP: 10.96.0.10
              externalTrafficPolicy: Local
              externalIPs: [203.0.113.7]
              ports:
              - {name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: 30080}
            """
        let slice = try Objects.webSlice(endpoints: [
            Objects.ready("10.244.0.10", node: "node-a"), Objects.ready("10.244.1.10", node: "node-b"),
        ])
        let output = translate(try Objects.web(spec: spec), [slice])
        #expect(reals(output, F.web) == ["10.244.0.10:8080", "10.244.1.10:8080"])
        #expect(reals(output, F.key(.tcp, "192.168.1.5", 30080)) == ["10.244.0.10:8080"])
        #expect(reals(output, F.key(.tcp, "203.0.113.7", 80)) == ["10.244.0.10:8080"])
        #expect(output.boundAddresses == [F.ip(F.vip), F.ip("203.0.113.7")])
    }

    @Test func externalAndLoadBalancerAddressesOnAnotherInterfaceAreNotBoundAgain() throws {
        let spec = """
              type: LoadBalancer
              clusterIP: 10.96.0.10
              externalIPs: [192.168.1.5]
              ports:
              - {name: http, protocol: TCP, port: 80, nodePort: 30080}
            """
        let service = try Objects.service(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
            \(spec)
            status:
              loadBalancer:
                ingress: [{ip: 198.51.100.9}, {hostname: lb.example.com}]
            """
        )
        var config = self.config
        config.otherInterfaceAddresses = [F.ip("192.168.1.5")]
        let output = translate(service, [], config: config)
        #expect(output.boundAddresses == [F.ip(F.vip), F.ip("198.51.100.9")])
        #expect(output.virtualServers.contains { $0.key == F.key(.tcp, "198.51.100.9", 80) })
        #expect(output.virtualServers.contains { $0.key == F.key(.tcp, "192.168.1.5", 80) })
    }

    @Test(arguments: [
        ("ipvs-proxy.io/scheduler: wlc", "wlc", nil),
        ("kube-router.io/service.scheduler: sh", "sh", nil),
        ("{ipvs-proxy.io/scheduler: lc, kube-router.io/service.scheduler: sh}", "lc", nil),
        ("ipvs-proxy.io/scheduler: fastest", "rr", ServiceDiagnostic.Code.unsupportedScheduler),
        ("ipvs-proxy.io/scheduler: mh", "rr", ServiceDiagnostic.Code.unsupportedScheduler),
    ] as [(String, String, ServiceDiagnostic.Code?)])
    func schedulerAnnotationsAreHonouredAndUnsupportedOnesReported(
        annotation: String,
        scheduler: String,
        diagnostic: ServiceDiagnostic.Code?
    ) throws {
        var config = self.config
        config.supportedSchedulers = Set(Scheduler.known).subtracting(["mh"])
        let metadata = annotation.hasPrefix("{") ? "  annotations: \(annotation)" : "  annotations: {\(annotation)}"
        let output = translate(try Objects.web(spec: twoPorts, metadata: metadata), [], config: config)
        #expect(output.virtualServers.allSatisfy { $0.server.scheduler == Scheduler(scheduler) })
        #expect(output.diagnostics.map(\.code) == (diagnostic.map { [$0] } ?? []))
        if diagnostic != nil {
            #expect(output.diagnostics.first?.description.contains("services/default/web: metadata.annotations[") == true)
        }
    }

    @Test func schedulerFlagsComeFromEitherAnnotation() throws {
        let metadata = "  annotations: {ipvs-proxy.io/scheduler: sh, kube-router.io/service.schedflags: \"flag-1,flag-2\"}"
        let output = translate(try Objects.web(spec: twoPorts, metadata: metadata), [])
        #expect(output.virtualServers.allSatisfy { $0.server.flags == [.shFallback, .shPort] })
    }

    @Test func clientIPAffinityBecomesPersistence() throws {
        let spec = twoPorts + "\n  sessionAffinity: ClientIP"
        let output = translate(try Objects.web(spec: spec), [])
        #expect(output.virtualServers.allSatisfy { $0.server.persistence == Persistence(timeout: 10800, prefixLength: 32) })

        let timed = spec + "\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}"
        let masked = translate(
            try Objects.web(spec: timed, metadata: "  annotations: {ipvs-proxy.io/persistence-prefix-length: \"24\"}"),
            []
        )
        #expect(masked.virtualServers.allSatisfy { $0.server.persistence == Persistence(timeout: 60, prefixLength: 24) })
    }

    @Test func dualStackServicesGetEachFamilysEndpoints() throws {
        let spec = """
              clusterIPs: [10.96.0.10, "fd00:96::10"]
              ipFamilies: [IPv4, IPv6]
              sessionAffinity: ClientIP
              ports:
              - {name: http, protocol: TCP, port: 80}
            """
        let v4 = try Objects.webSlice(name: "web-v4", endpoints: [Objects.ready("10.244.0.10")])
        let v6 = try Objects.webSlice(name: "web-v6", family: "IPv6", endpoints: [Objects.ready("fd00:244::10")])
        let output = translate(try Objects.web(spec: spec), [v4, v6])
        let v6Key = F.key(.tcp, "fd00:96::10", 80)
        #expect(reals(output, F.web) == ["10.244.0.10:8080"])
        #expect(reals(output, v6Key) == ["[fd00:244::10]:8080"])
        #expect(output.virtualServers.first { $0.key == v6Key }?.server.persistence?.prefixLength == 128)
    }
}
