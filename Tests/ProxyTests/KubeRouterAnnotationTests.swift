import IPVS
import Kube
import Testing

@testable import Proxy

/// kube-router's Service annotations, one row each: honoured where they map onto what this proxy does, reported
/// on the Service otherwise, never silently ignored (issue 13: 17).
@Suite struct KubeRouterAnnotationTests {
    struct Row: Sendable, CustomStringConvertible {
        var annotations: String
        /// True when the load-balancer IP gets its virtual server (and is bound).
        var loadBalancerServed = true
        /// True when external traffic (NodePort, external IP, load-balancer IP) goes to this node's endpoints only.
        var externalLocal = false
        var scheduler: Scheduler = "rr"
        var flags: ServiceFlags = []
        /// The diagnostic expected, with the annotation its field names.
        var diagnostic: (ServiceDiagnostic.Code, String)? = nil

        var description: String { annotations }
    }

    static let rows: [Row] = [
        Row(annotations: "{}"),
        Row(annotations: "{kube-router.io/service.local: \"true\"}", externalLocal: true),
        Row(annotations: "{kube-router.io/service.local: \"false\"}"),
        Row(
            annotations: "{kube-router.io/service.local: \"yes\"}",
            diagnostic: (.badAnnotation, "kube-router.io/service.local")),
        Row(annotations: "{kube-router.io/service.skiplbips: \"true\"}", loadBalancerServed: false),
        Row(
            annotations: "{kube-router.io/service.dsr: tunnel}",
            diagnostic: (.unsupportedAnnotation, "kube-router.io/service.dsr")),
        // Hairpin is masqueraded for every endpoint here, so asking for it changes nothing and needs no report.
        Row(annotations: "{kube-router.io/service.hairpin: \"\"}"),
        Row(annotations: "{kube-router.io/service.hairpin.externalips: \"\"}"),
        Row(annotations: "{kube-router.io/service.scheduler: lc}", scheduler: "lc"),
        Row(
            annotations: "{kube-router.io/service.scheduler: mh, kube-router.io/service.schedflags: \"flag-1\"}",
            scheduler: "mh", flags: [.shFallback]),
    ]

    static func service(_ annotations: String) throws -> ValidatedService {
        try Objects.service(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default, annotations: \(annotations)}
            spec:
              type: LoadBalancer
              clusterIP: 10.96.0.10
              externalIPs: [203.0.113.7]
              ports:
              - {name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: 30080}
            status:
              loadBalancer:
                ingress: [{ip: 198.51.100.9}]
            """)
    }

    @Test(arguments: rows)
    func eachAnnotationIsHonouredOrReported(row: Row) throws {
        let slice = try Objects.webSlice(endpoints: [
            Objects.ready("10.244.0.10", node: "node-a"), Objects.ready("10.244.1.10", node: "node-b"),
        ])
        let config = ProxyConfiguration(nodeName: "node-a", nodePortAddresses: [F.ip("192.168.1.5")])
        let output = ServiceTranslator.translate(
            try Self.service(row.annotations), slices: [slice], configuration: config)
        func reals(_ key: VirtualServerKey) -> [String]? {
            output.virtualServers.first { $0.key == key }.map {
                $0.realServers.values.map { $0.address.withPort($0.port) }.sorted()
            }
        }
        let both = ["10.244.0.10:8080", "10.244.1.10:8080"]
        let external = row.externalLocal ? ["10.244.0.10:8080"] : both
        #expect(reals(F.web) == both, "cluster IP traffic keeps the Service's own policy")
        #expect(reals(F.key(.tcp, "192.168.1.5", 30080)) == external)
        #expect(reals(F.key(.tcp, "203.0.113.7", 80)) == external)
        let loadBalancer = F.key(.tcp, "198.51.100.9", 80)
        #expect(reals(loadBalancer) == (row.loadBalancerServed ? external : nil))
        #expect(output.boundAddresses.contains(F.ip("198.51.100.9")) == row.loadBalancerServed)
        #expect(output.virtualServers.allSatisfy { $0.server.scheduler == row.scheduler })
        #expect(output.virtualServers.allSatisfy { $0.server.flags == row.flags })
        #expect(output.diagnostics.map(\.code) == (row.diagnostic.map { [$0.0] } ?? []), "\(output.diagnostics)")
        if let (_, annotation) = row.diagnostic {
            #expect(output.diagnostics.first?.field == "metadata.annotations[\(annotation)]")
            #expect(output.diagnostics.first?.description.hasPrefix("services/default/web: ") == true)
        }
    }
}
