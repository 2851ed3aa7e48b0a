import Foundation
import Kube

/// Validated Kubernetes objects from YAML, as a user writes them.
enum Objects {
    static func service(_ yaml: String) throws -> ValidatedService {
        try ServiceValidator.validate(YAMLObjectDecoder.decode(Service.self, fromYAML: yaml))
    }

    static func slice(_ yaml: String) throws -> ValidatedEndpointSlice {
        try EndpointSliceValidator.validate(YAMLObjectDecoder.decode(EndpointSlice.self, fromYAML: yaml)).slice
    }

    /// A Service `web` in `default` with the given spec lines (indented by four spaces) and metadata lines.
    static func web(spec: String, metadata: String = "") throws -> ValidatedService {
        try service(
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: default
            \(metadata)
            spec:
            \(spec)
            """
        )
    }

    /// A Service `api` in `default` at cluster IP 10.96.0.20 with the given ports (a flow sequence).
    static func api(ports: String = "[{name: http, protocol: TCP, port: 80}]") throws -> ValidatedService {
        try service(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: api, namespace: default}
            spec:
              clusterIP: 10.96.0.20
              ports: \(ports)
            """)
    }

    /// A slice of `web` with endpoints given as (address, ready, serving, terminating, node).
    static func webSlice(
        name: String = "web-abc",
        family: String = "IPv4",
        labels: String = "",
        endpoints: [(String, Bool, Bool, Bool, String)],
        ports: String = "  - {name: http, protocol: TCP, port: 8080}\n  - {name: dns, protocol: UDP, port: 5353}"
    ) throws -> ValidatedEndpointSlice {
        let lines = endpoints.map { address, ready, serving, terminating, node in
            "  - addresses: [\"\(address)\"]\n    conditions: {ready: \(ready), serving: \(serving), terminating: \(terminating)}\n    nodeName: \(node)"
        }
        return try slice(
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: \(name)
              namespace: default
              labels: {kubernetes.io/service-name: web\(labels.isEmpty ? "" : ", " + labels)}
            addressType: \(family)
            endpoints:
            \(lines.joined(separator: "\n"))
            ports:
            \(ports)
            """
        )
    }

    static func ready(_ address: String, node: String = "node-a") -> (String, Bool, Bool, Bool, String) {
        (address, true, true, false, node)
    }

    static func terminating(_ address: String, serving: Bool = true) -> (String, Bool, Bool, Bool, String) {
        (address, false, serving, true, "node-a")
    }
}
