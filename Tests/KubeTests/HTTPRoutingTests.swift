import Testing

@testable import Kube

/// How `tls-server-name` turns into the HTTP client's URL, connect-address override and `Host` header.
@Suite("tls-server-name routing")
struct HTTPRoutingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let server: String
        let name: String?
        let expected: HTTPRouting
        var testDescription: String { "\(server) name=\(name ?? "-")" }
    }

    static let cases: [Case] = [
        Case(server: "https://10.0.0.1:6443", name: nil, expected: HTTPRouting(baseURL: "https://10.0.0.1:6443")),
        Case(server: "https://10.0.0.1:6443/", name: "", expected: HTTPRouting(baseURL: "https://10.0.0.1:6443")),
        Case(
            server: "https://10.0.0.1:6443", name: "kubernetes.default.svc",
            expected: HTTPRouting(
                baseURL: "https://kubernetes.default.svc:6443", dnsOverride: ["kubernetes.default.svc": "10.0.0.1"],
                hostHeader: "10.0.0.1:6443")),
        Case(
            server: "https://lb.example.com", name: "api.internal",
            expected: HTTPRouting(
                baseURL: "https://api.internal", dnsOverride: ["api.internal": "lb.example.com"],
                hostHeader: "lb.example.com")),
        // A path prefix (clusters behind a proxy such as Rancher's) is kept.
        Case(
            server: "https://proxy:443/k8s/clusters/c-1/", name: "kubernetes",
            expected: HTTPRouting(
                baseURL: "https://kubernetes:443/k8s/clusters/c-1", dnsOverride: ["kubernetes": "proxy"],
                hostHeader: "proxy:443")),
        Case(
            server: "https://[fd00::1]:6443", name: "kubernetes",
            expected: HTTPRouting(
                baseURL: "https://kubernetes:6443", dnsOverride: ["kubernetes": "fd00::1"],
                hostHeader: "[fd00::1]:6443")),
        // Already the URL's host: nothing to override.
        Case(
            server: "https://kubernetes:6443", name: "Kubernetes",
            expected: HTTPRouting(baseURL: "https://kubernetes:6443")),
        // Plain HTTP has no certificate to verify.
        Case(
            server: "http://127.0.0.1:8080", name: "kubernetes", expected: HTTPRouting(baseURL: "http://127.0.0.1:8080")
        ),
    ]

    @Test(arguments: cases)
    func routing(_ item: Case) throws {
        let connection = ClusterConnection(server: item.server, tlsServerName: item.name)
        #expect(try connection.routing() == item.expected)
    }

    /// An IP `tls-server-name` leaves the URL alone: the IP transport verifies it (IPServerNameTLSTests).
    @Test func anIPAddressAsTLSServerNameGoesToTheIPTransport() throws {
        let connection = ClusterConnection(server: "https://lb:6443", tlsServerName: "10.0.0.1")
        #expect(try connection.routing() == HTTPRouting(baseURL: "https://lb:6443"))
        #expect(connection.ipServerName?.description == "10.0.0.1")
        // Not when it is the server's own address, nor without verification, nor over plain HTTP.
        #expect(ClusterConnection(server: "https://10.0.0.1:6443", tlsServerName: "10.0.0.1").ipServerName == nil)
        #expect(
            ClusterConnection(server: "https://lb:6443", insecureSkipTLSVerify: true, tlsServerName: "10.0.0.1")
                .ipServerName == nil)
        #expect(ClusterConnection(server: "http://lb:6443", tlsServerName: "10.0.0.1").ipServerName == nil)
    }
}
