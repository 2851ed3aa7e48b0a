import Foundation
import Testing
import Yams

@testable import Kube

/// The one YAML decoder: every modelled field, Yams' reading rules (checked against Yams' own `YAMLDecoder`),
/// the recorded API-server objects (checked against `JSONDecoder`), and errors that name the field.
@Suite("YAML decoding of the Codable models")
struct YAMLObjectDecoderTests {
    static func document(_ yaml: String) throws -> ManifestObject {
        try YAMLObjectDecoder.decode(ManifestObject.self, fromYAML: yaml)
    }

    @Test func everyServiceField() throws {
        let yaml = """
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
              publishNotReadyAddresses: true
            status: {loadBalancer: {ingress: [{ip: 9.9.9.9}, {hostname: lb.example, ipMode: Proxy}]}}
            """
        let expected = Service(
            apiVersion: "v1", kind: "Service",
            metadata: ObjectMeta(
                name: "web", namespace: "ns", uid: "u", resourceVersion: "7",
                labels: ["a": "1", "b": "true", "c": "~", "d": "x"], annotations: ["k": "v"],
                deletionTimestamp: "2026-01-01T00:00:00Z"),
            spec: Service.Spec(
                type: "LoadBalancer", clusterIP: "10.96.0.1", clusterIPs: ["10.96.0.1", "fd00::1"],
                ipFamilies: ["IPv4", "IPv6"], ipFamilyPolicy: "PreferDualStack",
                ports: [
                    .init(
                        name: "http", protocol: "TCP", port: 80, targetPort: .int(8080), nodePort: 30080,
                        appProtocol: "http"),
                    .init(name: "named", port: 81, targetPort: .string("web")),
                    .init(name: "quoted", port: 82, targetPort: .string("8082")),
                    .init(name: "nulls", port: 83),
                ],
                selector: ["app": "web"], sessionAffinity: "ClientIP",
                sessionAffinityConfig: .init(clientIP: .init(timeoutSeconds: 60)), externalIPs: ["1.2.3.4"],
                externalName: "", internalTrafficPolicy: "Local", externalTrafficPolicy: "Cluster",
                healthCheckNodePort: 32000, loadBalancerIP: "5.6.7.8"),
            status: Service.Status(
                loadBalancer: .init(ingress: [.init(ip: "9.9.9.9"), .init(hostname: "lb.example", ipMode: "Proxy")])))
        guard case .service(let service) = try Self.document(yaml) else {
            Issue.record("not a Service")
            return
        }
        #expect(service == expected)
        #expect(service == (try YAMLDecoder().decode(Service.self, from: yaml)))
    }

    @Test func everyEndpointSliceField() throws {
        let yaml = """
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
              targetRef: {kind: Pod, namespace: ns, name: web-abc, uid: u}
            - {}
            - addresses: null
            ports: [{name: http, protocol: UDP, port: 53, appProtocol: dns}]
            """
        let expected = EndpointSlice(
            apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
            metadata: ObjectMeta(name: "web-1", labels: ["kubernetes.io/service-name": "web"]),
            addressType: "IPv6",
            endpoints: [
                .init(
                    addresses: ["fd00::1", "~"], conditions: .init(ready: true, serving: false, terminating: false),
                    nodeName: "n", zone: "z",
                    hints: .init(forZones: [.init(name: "z1")], forNodes: [.init(name: "n1")]),
                    hostname: "h", targetRef: .init(kind: "Pod", namespace: "ns", name: "web-abc")),
                .init(addresses: []),
                .init(addresses: []),
            ],
            ports: [.init(name: "http", protocol: "UDP", port: 53, appProtocol: "dns")])
        guard case .endpointSlice(let slice) = try Self.document(yaml) else {
            Issue.record("not an EndpointSlice")
            return
        }
        #expect(slice == expected)
        #expect(slice == (try YAMLDecoder().decode(EndpointSlice.self, from: yaml)))
    }

    @Test func listsOtherKindsAndMergeKeys() throws {
        let list = try Self.document(
            "kind: List\nitems:\n- {kind: Service, metadata: {name: a}}\n- {kind: ConfigMap}\n- {}")
        guard case .list(let items) = list, items.count == 3 else {
            Issue.record("not a list of three: \(list)")
            return
        }
        guard case .service(let service) = items[0] else {
            Issue.record("not a Service: \(items[0])")
            return
        }
        #expect(service.metadata.name == "a")
        guard case .other("ConfigMap") = items[1], case .other("<no kind>") = items[2] else {
            Issue.record("other kinds: \(items)")
            return
        }
        let yaml = """
            kind: Service
            metadata: {name: a}
            base: &base {type: NodePort, sessionAffinity: ClientIP}
            spec:
              <<: *base
              sessionAffinity: None
            """
        let merged = try YAMLObjectDecoder.decode(Service.self, fromYAML: yaml)
        #expect(merged.spec?.type == "NodePort")
        #expect(merged.spec?.sessionAffinity == "None")
        #expect(merged == (try YAMLDecoder().decode(Service.self, from: yaml)))
    }

    /// Yams' parser refuses duplicate keys: the file fails as a whole, as for any syntax error.
    @Test func duplicateKeysAreASyntaxError() {
        #expect(throws: ManifestError.self) { try ManifestFile.parse("metadata: {name: a, name: b}", path: "d.yaml") }
        // Keys compare as text (`YAMLObjectDecoder.parser`): a plain and a quoted key of the same text are one key.
        #expect(throws: ManifestError.self) {
            try ManifestFile.parse("metadata: {labels: {1: a, \"1\": b}}", path: "d.yaml")
        }
        #expect(throws: (any Error).self) { try YAMLObjectDecoder.decode(Service.self, fromYAML: "true: 1\n'true': 2") }
    }

    /// A key written `<<` merges only when plain: a quoted or `!!str` one is an ordinary key.
    @Test func onlyAPlainDoubleAngleKeyMerges() throws {
        let merged = try YAMLObjectDecoder.decode(Service.self, fromYAML: "<<: {kind: Service}\nmetadata: {name: a}")
        #expect(merged.kind == "Service")
        let quoted = try YAMLObjectDecoder.decode(Service.self, fromYAML: "'<<': {kind: Service}\nmetadata: {name: a}")
        #expect(quoted.kind == nil)
        let tagged = try YAMLObjectDecoder.decode(
            Service.self, fromYAML: "!!str <<: {kind: Service}\nmetadata: {name: a}")
        #expect(tagged.kind == nil)
        // A text without `<<` is parsed with no tag rule at all; one `<` at a time is not `<<`.
        #expect(!YAMLObjectDecoder.mayMerge("a: '<'\nb: <\nc: <x<"))
        #expect(YAMLObjectDecoder.mayMerge("spec:\n  <<: *base"))
        #expect(try YAMLObjectDecoder.decode(Service.self, fromYAML: "kind: '<'\nmetadata: {name: a}").kind == "<")
    }

    /// Yams resolves an alias to the node it names, so a small document of nested aliases stands for a tree of 2^41
    /// scalars: its nodes are read one level at a time, and only what the models look up is ever read.
    @Test func aDocumentOfNestedAliasesIsReadOnlyAsFarAsTheModelsLook() throws {
        var lines = ["kind: Service", "metadata: {name: a}", "l0: &l0 [x, x]"]
        for level in 1...40 { lines.append("l\(level): &l\(level) [*l\(level - 1), *l\(level - 1)]") }
        lines.append("spec: {type: NodePort, laughs: *l40}")
        let text = lines.joined(separator: "\n")
        #expect(try YAMLObjectDecoder.decode(Service.self, fromYAML: text).spec?.type == "NodePort")
        #expect(try ManifestFile.parse(text, path: "laughs.yaml").accepted.count == 1)
        // Aliases are outside the reader's subset: the document is Yams', its top level read, its values not.
        let document = try #require(try YAMLObjectDecoder.documents(text).first)
        guard case .yams = document, case .mapping(let top) = document.resolved else {
            Issue.record("expected a mapping of Yams' parser, got \(document)")
            return
        }
        #expect(top.keys.count == 44)
        #expect(top.values.allSatisfy { if case .yams = $0 { true } else { false } })
    }

    /// Integers as Yams reads them: YAML 1.1 octal and hexadecimal, underscores; quoted digits are text.
    @Test(arguments: [("80", 80), ("0x51", 81), ("010", 8), ("1_000", 1000), ("+7", 7), ("-3", -3), ("0", 0)])
    func integers(text: String, value: Int) throws {
        let port = try YAMLObjectDecoder.decode(Service.Port.self, fromYAML: "port: \(text)")
        #expect(port.port == value)
        #expect(port.port == (try YAMLDecoder().decode(Service.Port.self, from: "port: \(text)")).port)
    }

    /// YAML 1.1 base-60 integers read as Yams reads them where Yams can, and never a crash where it cannot: Yams
    /// traps on overflow, and on twelve components of any value (FuzzManifestFile's crash ff0aa902).
    @Test func baseSixtyIntegersAreReadWithOverflowChecked() throws {
        for (text, value) in [("1:30", 90), ("-1:30", -90), ("1_0:0", 600), ("190:20:30", 685_230)] {
            #expect(try YAMLObjectDecoder.decode(Service.Port.self, fromYAML: "port: \(text)").port == value)
            #expect(try YAMLDecoder().decode(Service.Port.self, from: "port: \(text)").port == value)
        }
        for text in ["1:1:1:1:1:1:1:1:1:1:1:1", "88888888888888888:8888888888888888888", "99999999999999:0:0:0:0"] {
            #expect(throws: DecodingError.self) {
                try YAMLObjectDecoder.decode(Service.Port.self, fromYAML: "port: \(text)")
            }
        }
        // The narrower integers go the same way (through Yams' 64-bit reading, then exactly the type).
        #expect(YAMLSexagesimal.value("-2:8", as: Int8.self) == -128)
        #expect(YAMLSexagesimal.value("2:10", as: Int8.self) == nil)
        #expect(YAMLSexagesimal.value("-1:0", as: UInt16.self) == nil)
        #expect(YAMLSexagesimal.value("1:1:1:1:1:1:1:1:1:1:1:1", as: UInt64.self) == nil)
        #expect(YAMLSexagesimal.candidate("0:30") == nil, "octal to Yams, not base 60")
        // The fuzzer's input, whole: an error, not a trap.
        let crash =
            "#\n\nkind: Service\nmetadata:\n  name: echo\n  namespace: demo\nspec:\n  ports:\n"
            + "  - {name: tcp-echo, port: 88888888888888888:8888888888888888888}\n"
        let file = try ManifestFile.parse(crash, path: "crash.yaml")
        #expect(file.accepted.isEmpty)
        #expect(file.rejected.count == 1)
    }

    /// Malformed objects name the field and say what was expected and found.
    @Test(arguments: [
        (
            "kind: Service\nmetadata: {name: a}\nspec: {ports: [{port: [80]}]}", "spec.ports[0].port",
            "expected Int: Expected to decode Int but found a sequence."
        ),
        (
            "kind: Service\nmetadata: {name: a}\nspec: {ports: [{port: \"80\"}]}", "spec.ports[0].port",
            "expected Int: Expected to decode Int but found \"80\"."
        ),
        (
            "kind: EndpointSlice\nmetadata: {name: a}\nendpoints: [{conditions: {ready: maybe}}]",
            "endpoints[0].conditions.ready", "expected Bool: Expected to decode Bool but found \"maybe\"."
        ),
        ("kind: Service\nspec: {}", "metadata", "is required"),
        (
            "kind: Service\nmetadata:\n", "metadata",
            "expected Dictionary<String, Any>: Expected to decode Dictionary<String, Any> but found null."
        ),
        (
            "kind: EndpointSlice\nmetadata: {name: a}\nendpoints: [{hints: {forZones: [{}]}}]",
            "endpoints[0].hints.forZones[0].name", "is required"
        ),
        (
            "kind: EndpointSlice\nmetadata: {name: a}\nendpoints: [{targetRef: [Pod]}]", "endpoints[0].targetRef",
            "expected Dictionary<String, Any>: Expected to decode Dictionary<String, Any> but found a sequence."
        ),
        (
            "kind: Service\nmetadata: {name: a, labels: {app: {x: 1}}}", "metadata.labels.app",
            "expected String: Expected to decode String but found a mapping."
        ),
    ])
    func malformedObjectsNameTheField(yaml: String, field: String, message: String) throws {
        guard case .malformed(_, _, let actualField, let actualMessage) = try Self.document(yaml) else {
            Issue.record("accepted: \(yaml)")
            return
        }
        #expect(actualField == field)
        #expect(actualMessage == message)
    }

    /// A bad item of a list is rejected alone, naming the file, the object and the field within the item.
    @Test func badListItemIsRejectedWithItsPath() throws {
        let yaml = "kind: List\nitems:\n- {kind: Service, metadata: {name: a}, spec: {ports: 1}}"
        let file = try ManifestFile.parse(yaml, path: "m.yaml")
        let rejected = try #require(file.rejected.first)
        #expect(rejected.error.description.hasPrefix("m.yaml: services/default/a: spec.ports: "))
    }

    /// The API server's own objects (JSON is YAML) decode to what `JSONDecoder` gives, field for field.
    @Test(arguments: [
        "services-list.json", "services-list-page1.json", "services-list-page2.json", "endpointslices-list.json",
    ])
    func recordedListsMatchJSONDecoding(file: String) throws {
        let data = try Fixtures.data(file)
        if file.hasPrefix("services") {
            let json = try JSONDecoder().decode(ObjectList<Service>.self, from: data)
            let yaml = try YAMLObjectDecoder.decode(ObjectList<Service>.self, fromYAML: try Fixtures.text(file))
            #expect(!json.items.isEmpty)
            #expect(yaml.items == json.items)
            #expect(yaml.metadata == json.metadata)
        } else {
            let json = try JSONDecoder().decode(ObjectList<EndpointSlice>.self, from: data)
            let yaml = try YAMLObjectDecoder.decode(ObjectList<EndpointSlice>.self, fromYAML: try Fixtures.text(file))
            #expect(!json.items.isEmpty)
            #expect(yaml.items == json.items)
            #expect(json.items.contains { $0.endpoints?.contains { $0.conditions != nil } == true })
        }
    }

    /// Every watch event of the recordings decodes alike too.
    @Test(arguments: ["services-watch.jsonl", "endpointslices-watch.jsonl"])
    func recordedWatchEventsMatchJSONDecoding(file: String) throws {
        let lines = try Fixtures.lines(file)
        #expect(!lines.isEmpty)
        for line in lines {
            if file.hasPrefix("services") {
                let json = try JSONDecoder().decode(WatchEvent<Service>.self, from: Data(line.utf8))
                let yaml = try YAMLObjectDecoder.decode(WatchEvent<Service>.self, fromYAML: line)
                #expect(yaml == json)
            } else {
                let json = try JSONDecoder().decode(WatchEvent<EndpointSlice>.self, from: Data(line.utf8))
                let yaml = try YAMLObjectDecoder.decode(WatchEvent<EndpointSlice>.self, fromYAML: line)
                #expect(yaml == json)
            }
        }
    }
}

extension WatchEvent: Equatable where Object: Equatable {
    public static func == (lhs: WatchEvent, rhs: WatchEvent) -> Bool {
        switch (lhs, rhs) {
        case (.added(let a), .added(let b)), (.modified(let a), .modified(let b)), (.deleted(let a), .deleted(let b)):
            a == b
        case (.bookmark(let a), .bookmark(let b)): a == b
        case (.error(let a), .error(let b)): a == b
        default: false
        }
    }
}
