import Testing
import Yams

@testable import Kube

/// The fast YAML reader must give exactly what `YAMLDecoder` gives, or hand the document over to it.
@Suite("Manifests: fast YAML reading")
struct YAMLNodeFieldsTests {
    /// What a document decodes to, comparable.
    enum Decoded: Equatable {
        case service(Service)
        case endpointSlice(EndpointSlice)
        case list([Decoded])
        case other(String)
        case malformed(String)

        init(_ object: ManifestObject) {
            switch object {
            case .service(let service): self = .service(service)
            case .endpointSlice(let slice): self = .endpointSlice(slice)
            case .list(let items): self = .list(items.map(Decoded.init))
            case .other(let kind): self = .other(kind)
            case .malformed(let kind, let metadata, let field, let message):
                self = .malformed("\(kind) \(String(describing: metadata)) \(field): \(message)")
            }
        }
    }

    static let documents: [(name: String, yaml: String, fast: Bool)] = [
        ("generated", ManifestsDirectoryTests.service("web"), true),
        ("slice", ManifestsDirectoryTests.slice("web-1", service: "web", addresses: ["10.0.0.1", "10.0.0.2"]), true),
        (
            "every field",
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: ns, uid: u, resourceVersion: "7", labels: {a: 1, b: true, c: ~, d: x},
              annotations: {k: v}, deletionTimestamp: 2026-01-01T00:00:00Z, managedFields: [{x: y}]}
            spec:
              type: LoadBalancer
              clusterIP: 10.96.0.1
              clusterIPs: [10.96.0.1, "fd00::1"]
              ipFamilies: [IPv4, IPv6]
              ipFamilyPolicy: PreferDualStack
              ports:
              - {name: http, protocol: TCP, port: 80, targetPort: 8080, nodePort: 30080, appProtocol: http}
              - {name: named, port: 0x51, targetPort: web}
              - {name: quoted, port: 82, targetPort: "8082"}
              - {name: nulls, port: 83, targetPort: ~, nodePort: null}
              selector: {app: web}
              sessionAffinity: ClientIP
              sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}
              externalIPs: [1.2.3.4]
              externalName: ""
              internalTrafficPolicy: Local
              externalTrafficPolicy: Cluster
              healthCheckNodePort: 32000
              loadBalancerIP: 5.6.7.8
            status: {loadBalancer: {ingress: [{ip: 9.9.9.9}, {hostname: lb.example, ipMode: Proxy}]}}
            """,
            true
        ),
        (
            "slice fields",
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-1, labels: {kubernetes.io/service-name: web}}
            addressType: IPv6
            endpoints:
            - addresses: ["fd00::1", ~]
              conditions: {ready: yes, serving: off, terminating: False}
              nodeName: n
              zone: z
              hints: {forZones: [{name: z1}], forNodes: [{name: n1}]}
              hostname: h
              targetRef: {kind: Pod, namespace: ns, name: web-abc}
            - {}
            - addresses: null
            ports: [{name: http, protocol: UDP, port: 53, appProtocol: dns}]
            """,
            true
        ),
        ("list", "kind: List\nitems:\n- {kind: Service, metadata: {name: a}}\n- {kind: ConfigMap}\n- {}", true),
        ("no kind", "metadata: {name: a}", true),
        // Handed to YAMLDecoder:
        ("wrong shape", "kind: Service\nmetadata: {name: a}\nspec: {ports: [{port: [80]}]}", false),
        ("quoted number", "kind: Service\nmetadata: {name: a}\nspec: {ports: [{port: \"80\"}]}", false),
        ("not a bool", "kind: EndpointSlice\nmetadata: {name: a}\nendpoints: [{conditions: {ready: maybe}}]", false),
        ("no metadata", "kind: Service\nspec: {}", false),
        ("null metadata", "kind: Service\nmetadata:\n", false),
        (
            "hint without name", "kind: EndpointSlice\nmetadata: {name: a}\nendpoints: [{hints: {forZones: [{}]}}]",
            false
        ),
        ("merge key", "kind: Service\nmetadata: {name: a}\nspec:\n  <<: {type: NodePort}\n", false),
        ("bad list item", "kind: List\nitems:\n- {kind: Service, metadata: {name: a}, spec: {ports: 1}}", false),
    ]

    @Test(arguments: documents)
    func sameResultAsYAMLDecoder(name: String, yaml: String, fast: Bool) throws {
        let node = try #require(try Parser(yaml: yaml).singleRoot())
        let expected = Decoded(try YAMLDecoder().decode(ManifestObject.self, from: node))
        #expect(Decoded(try ManifestObject.decode(yaml: node)) == expected)
        let quick = try? ManifestObject.fast(node)
        #expect((quick != nil) == fast)
        if let quick { #expect(Decoded(quick) == expected) }
    }

    /// The API server's own objects (JSON is YAML) read both ways.
    @Test(arguments: ["services-list.json", "endpointslices-list.json", "services-list-page1.json"])
    func recordedListsReadAlike(file: String) throws {
        let node = try #require(try Parser(yaml: try Fixtures.text(file)).singleRoot())
        let items = try #require(node.mapping?["items"]?.sequence)
        #expect(!items.isEmpty)
        for item in items {
            let expected = Decoded(try YAMLDecoder().decode(ManifestObject.self, from: item))
            #expect(Decoded(try ManifestObject.fast(item)) == expected)
        }
    }
}
