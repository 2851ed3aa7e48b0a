import Testing

@testable import Kube

@Suite("Manifests as users write them")
struct YAMLDecodingTests {
    @Test func serviceWithIntAndStringTargetPortsAndUnknownFields() throws {
        let yaml = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              labels: {app: web, version: 2}
              annotations:
                note: hello
              finalizers: [x]
            spec:
              selector: {app: web}
              clusterIP: 10.96.0.10
              ports:
              - name: http
                port: 80
                targetPort: 8080
              - name: admin
                port: 9000
                protocol: TCP
                targetPort: admin-port
              sessionAffinity: ClientIP
              sessionAffinityConfig:
                clientIP:
                  timeoutSeconds: 30
              publishNotReadyAddresses: true
            """
        let service = try YAMLObjectDecoder.decode(Service.self, fromYAML: yaml)
        #expect(service.spec?.ports?.map(\.targetPort) == [.int(8080), .string("admin-port")])
        #expect(service.metadata.labels?["version"] == "2")
        let validated = try ServiceValidator.validate(service)
        #expect(validated.key == key("default/web"))
        #expect(validated.ports.map(\.targetPort) == [.number(8080), .name("admin-port")])
        #expect(validated.sessionAffinity == .clientIP(timeoutSeconds: 30))
    }

    @Test func endpointSliceYAML() throws {
        let yaml = """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: web-1
              namespace: shop
              labels:
                kubernetes.io/service-name: web
            addressType: IPv6
            endpoints:
            - addresses: ["fd00::1"]
              conditions: {ready: false, serving: true, terminating: true}
              nodeName: node-a
              zone: z1
              hints:
                forZones: [{name: z1}]
            - addresses: ["fd00::2"]
            ports:
            - name: http
              port: 8080
              protocol: TCP
            """
        let result = try EndpointSliceValidator.validate(YAMLObjectDecoder.decode(EndpointSlice.self, fromYAML: yaml))
        #expect(result.slice.key == key("shop/web-1"))
        #expect(result.slice.endpoints.map(\.hintZones) == [["z1"], []])
        #expect(
            result.slice.endpoints.map { [$0.ready, $0.serving, $0.terminating] } == [
                [false, true, true], [true, true, false],
            ])
    }

    @Test func multiDocumentFileWithListAndOtherKinds() throws {
        let yaml = """
            # a comment
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            ---
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Service
              metadata: {name: a}
              spec: {ports: [{port: 80}]}
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: c}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: b, namespace: x}
            spec: {ports: [{port: 70000}]}
            ---
            """
        let file = try ManifestFile.parse(yaml, path: "dir/all.yaml")
        #expect(file.accepted.map(\.object.id.description) == ["services/default/a"])
        #expect(
            file.rejected.map(\.error.description) == [
                "dir/all.yaml: services/x/b: spec.ports[0].port: 70000 is out of range 1-65535"
            ])
        #expect(file.ignoredKinds == ["Deployment", "ConfigMap"])
    }

    @Test func wrongShapeIsRejectedWithItsFieldPath() throws {
        let yaml = """
            kind: Service
            metadata: {name: a}
            spec:
              ports:
              - port: [80]
            """
        let file = try ManifestFile.parse(yaml, path: "m.yaml")
        #expect(file.accepted.isEmpty)
        let rejected = try #require(file.rejected.first)
        #expect(rejected.id?.description == "services/default/a")
        #expect(rejected.error.message.hasPrefix("m.yaml: services/default/a: spec.ports[0].port: expected Int"))
    }

    @Test func jsonManifestUsesJSONDecoder() throws {
        let json = """
            {"kind": "List", "items": [
              {"kind": "Service", "metadata": {"name": "j"}, "spec": {"ports": [{"port": 53, "protocol": "UDP"}]}},
              {"kind": "EndpointSlice", "metadata": {"name": "j-1", "labels": {"kubernetes.io/service-name": "j"}},
               "addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.9"]}], "ports": [{"port": 53, "protocol": "UDP"}]}
            ]}
            """
        let file = try ManifestFile.parse(json, path: "m.json")
        #expect(file.accepted.map(\.object.id.description) == ["services/default/j", "endpointslices/default/j-1"])
    }

    @Test(arguments: ["kind: Service\nmetadata: {name: [", "{\"kind\": \"Service\", "])
    func syntaxErrorFailsTheWholeFile(_ text: String) {
        let path = text.hasPrefix("{") ? "bad.json" : "bad.yaml"
        #expect(throws: ManifestError.self) { try ManifestFile.parse(text, path: path) }
    }
}
