import Foundation

/// The objects of the one-change benchmark in the JSON an API server sends: Services with one UDP port (53 to
/// 5353), each with one EndpointSlice of ready endpoints. UDP, because a departing UDP real server is deleted at
/// once (a TCP one is first drained, then re-read from the kernel), so one endpoint removed or restored is exactly
/// one kernel operation. Node, zone and Pod names as a cloud cluster's (a node name longer than a `String` holds
/// inline, a Pod name of a Deployment's), so that what the objects hold is counted as a real cluster's.
enum OneChangeInput {
    /// Service `index`; with `scheduler`, annotated to ask for it (`ipvs-proxy.io/scheduler`).
    static func service(_ index: Int, scheduler: String? = nil) -> String {
        let ip = "10.96.\(index / 250).\(index % 250 + 1)"
        let annotations = scheduler.map { ",\"annotations\":{\"ipvs-proxy.io/scheduler\":\"\($0)\"}" } ?? ""
        return """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"svc-\(index)","namespace":"bench",\
            "uid":"00000000-0000-4000-8000-\(String(format: "%012d", index))","resourceVersion":"\(1000 + index)",\
            "creationTimestamp":"2026-11-22T02:19:10Z"\(annotations)},\
            "spec":{"ports":[{"name":"dns","protocol":"UDP","port":53,"targetPort":5353}],\
            "selector":{"app":"svc-\(index)"},"clusterIP":"\(ip)","clusterIPs":["\(ip)"],"type":"ClusterIP",\
            "sessionAffinity":"None","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack"},"status":{"loadBalancer":{}}}
            """
    }

    /// The address of endpoint `endpoint` of Service `index`: distinct across Services of up to 100 endpoints
    /// (a larger Service must be the only one).
    static func address(_ index: Int, _ endpoint: Int) -> String {
        let n = index * 100 + endpoint
        return "10.\(128 + n / 62_500).\(n / 250 % 250).\(n % 250 + 1)"
    }

    /// Slice `slice` of Service `index`, holding its endpoints `endpoints`.
    static func slice(_ index: Int, slice: Int = 0, endpoints: Range<Int>, version: Int = 0) -> String {
        let items = endpoints.map { endpoint in
            """
            {"addresses":["\(address(index, endpoint))"],"conditions":{"ready":true,"serving":true,\
            "terminating":false},"nodeName":"ip-10-0-\(endpoint % 5)-17.eu-west-1.compute.internal",\
            "zone":"eu-west-1a","targetRef":{"kind":"Pod","namespace":"bench",\
            "name":"svc-\(index)-7d9f8b6c5-\(endpoint)x2kp"}}
            """
        }
        return """
            {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"svc-\(index)-\(slice)",\
            "namespace":"bench","uid":"00000000-0000-4000-9000-\(String(format: "%06d%06d", index, slice))",\
            "resourceVersion":"\(100_000 + version)","creationTimestamp":"2026-11-22T02:19:10Z",\
            "labels":{"kubernetes.io/service-name":"svc-\(index)"}},\
            "addressType":"IPv4","endpoints":[\(items.joined(separator: ","))],\
            "ports":[{"name":"dns","protocol":"UDP","port":5353}]}
            """
    }

    /// A watch event line, as the API server streams it.
    static func event(_ type: String, _ object: String) -> Data {
        Data("{\"type\":\"\(type)\",\"object\":\(object)}".utf8)
    }

    /// A list response of these items.
    static func list(_ kind: String, _ items: [String]) -> Data {
        Data("{\"kind\":\"\(kind)\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[\(items.joined(separator: ","))]}".utf8)
    }
}
