import Foundation

/// Generates list responses shaped like the API server's (including managedFields noise that decoding
/// must skip), deterministically.
enum ObjectDecodingInput {
    static func metadata(_ name: String, _ namespace: String, _ index: Int, labels: String) -> String {
        """
        "metadata":{"name":"\(name)","namespace":"\(namespace)","uid":"00000000-0000-4000-8000-\(String(format: "%012d", index))",\
        "resourceVersion":"\(1000 + index)","creationTimestamp":"2026-11-22T02:19:10Z","labels":{\(labels)},\
        "annotations":{"kube-router.io/service.scheduler":"lc"},\
        "managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"v1","time":"2026-11-22T02:19:10Z",\
        "fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:ports":{".":{},"k:{\\"port\\":80}":{".":{}}}}}}]}
        """
    }

    static func serviceList(count: Int) -> Data {
        var items: [String] = []
        items.reserveCapacity(count)
        for index in 0..<count {
            let ip = "10.96.\(index / 250).\(index % 250 + 1)"
            items.append(
                """
                {\(metadata("svc-\(index)", "ns-\(index % 50)", index, labels: "\"app\":\"svc-\(index)\"")),\
                "spec":{"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":8080},\
                {"name":"dns","protocol":"UDP","port":53,"targetPort":"dns"}],"selector":{"app":"svc-\(index)"},\
                "clusterIP":"\(ip)","clusterIPs":["\(ip)"],"type":"ClusterIP","sessionAffinity":"None",\
                "ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","internalTrafficPolicy":"Cluster"},\
                "status":{"loadBalancer":{}}}
                """)
        }
        return Data(
            "{\"kind\":\"ServiceList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"99999\"},\"items\":[\(items.joined(separator: ","))]}"
                .utf8)
    }

    static func endpointSliceList(count: Int, endpointsPerSlice: Int) -> Data {
        var items: [String] = []
        items.reserveCapacity(count)
        for index in 0..<count {
            var endpoints: [String] = []
            for endpoint in 0..<endpointsPerSlice {
                let address = "10.\(128 + index / 6500).\((index / 25) % 256).\((index % 25) * 10 + endpoint + 1)"
                endpoints.append(
                    """
                    {"addresses":["\(address)"],"conditions":{"ready":true,"serving":true,"terminating":false},\
                    "nodeName":"node-\(endpoint % 5)","zone":"z\(endpoint % 3)",\
                    "targetRef":{"kind":"Pod","namespace":"ns","name":"pod-\(index)-\(endpoint)"}}
                    """)
            }
            items.append(
                """
                {\(metadata("svc-\(index)-abcde", "ns-\(index % 50)", index, labels: "\"kubernetes.io/service-name\":\"svc-\(index)\"")),\
                "addressType":"IPv4","endpoints":[\(endpoints.joined(separator: ","))],\
                "ports":[{"name":"http","protocol":"TCP","port":8080},{"name":"dns","protocol":"UDP","port":5353}]}
                """)
        }
        return Data(
            "{\"kind\":\"EndpointSliceList\",\"apiVersion\":\"discovery.k8s.io/v1\",\"metadata\":{\"resourceVersion\":\"99999\"},\"items\":[\(items.joined(separator: ","))]}"
                .utf8)
    }

    /// Manifest files as users (and `scripts/bench-proxy-gen`) write them: per file one Service and its
    /// EndpointSlice of `endpointsPerSlice` endpoints, flow and block style mixed.
    static func manifestFiles(count: Int, endpointsPerSlice: Int) -> [String] {
        (0..<count).map { index in
            let name = "svc-\(String(format: "%05d", index))"
            var lines = [
                "apiVersion: v1",
                "kind: Service",
                "metadata: {name: \(name), namespace: bench, labels: {app: \(name)}}",
                "spec:",
                "  type: ClusterIP",
                "  clusterIP: 10.96.\(index / 250).\(index % 250 + 1)",
                "  selector: {app: \(name)}",
                "  ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080},",
                "    {name: dns, protocol: UDP, port: 53, targetPort: dns}]",
                "---",
                "apiVersion: discovery.k8s.io/v1",
                "kind: EndpointSlice",
                "metadata:",
                "  name: \(name)-1",
                "  namespace: bench",
                "  labels:",
                "    kubernetes.io/service-name: \(name)",
                "addressType: IPv4",
                "ports: [{name: http, protocol: TCP, port: 8080}, {name: dns, protocol: UDP, port: 5353}]",
                "endpoints:",
            ]
            for endpoint in 0..<endpointsPerSlice {
                let address = "10.\(128 + index / 6500).\((index / 25) % 256).\((index % 25) * 10 + endpoint + 1)"
                lines += [
                    "- addresses: [\"\(address)\"]",
                    "  conditions: {ready: true, serving: true, terminating: false}",
                    "  nodeName: node-\(endpoint % 5)",
                    "  zone: z\(endpoint % 3)",
                    "  targetRef: {kind: Pod, namespace: bench, name: \(name)-\(endpoint)}",
                ]
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }
}
