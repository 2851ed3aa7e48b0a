import Foundation
import TestSupport
import Testing

/// Reaching the API server without the Service network (issue 12: 1), against the real kernel: the in-cluster
/// variables point at a cluster IP nothing routes (as on a node whose service proxy is the one starting), and the
/// KubeProxyConfiguration's `clientConnection.kubeconfig` names the real endpoint, the project's loopback API
/// server in the test process.
@Suite(.serialized, Lab.only) struct APIReachLabTests {
    static let vip = "10.96.9.10"

    /// One Service with two ready endpoints; watches stay open and quiet.
    static func handler(_ request: TestAPIServer.Request) -> TestAPIServer.Response {
        if request.isWatch { return .stream([], .hold) }
        switch request.path {
        case "/api/v1/services":
            return .json(
                status: 200,
                body: """
                    {"kind": "ServiceList", "apiVersion": "v1", "metadata": {"resourceVersion": "10"}, "items": [
                      {"metadata": {"name": "reach", "namespace": "lab", "uid": "u-1", "resourceVersion": "9"},
                       "spec": {"type": "ClusterIP", "clusterIP": "\(vip)", "clusterIPs": ["\(vip)"],
                                "sessionAffinity": "None",
                                "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 80}]}}]}
                    """)
        case "/apis/discovery.k8s.io/v1/endpointslices":
            return .json(
                status: 200,
                body: """
                    {"kind": "EndpointSliceList", "apiVersion": "discovery.k8s.io/v1",
                     "metadata": {"resourceVersion": "10"}, "items": [
                      {"metadata": {"name": "reach-1", "namespace": "lab", "uid": "u-2", "resourceVersion": "8",
                                    "labels": {"kubernetes.io/service-name": "reach"}},
                       "addressType": "IPv4",
                       "ports": [{"name": "http", "protocol": "TCP", "port": 80}],
                       "endpoints": [
                         {"addresses": ["10.244.0.10"], "conditions": {"ready": true}},
                         {"addresses": ["10.244.0.11"], "conditions": {"ready": true}}]}]}
                    """)
        default:
            return .json(status: 404, body: #"{"kind": "Status", "code": 404}"#)
        }
    }

    @Test func unroutedInClusterAddressAndAKubeconfigFromTheConfigFileSyncs() async throws {
        try LabShell.prepareNetwork()
        defer { ProxyLab.cleanup() }
        let server = try await TestAPIServer(handler: Self.handler)
        let directory = try TemporaryDirectory()
        // The in-cluster files are there too, as in a pod (the guest's own /run, a tmpfs), so only the
        // precedence keeps the proxy off the unrouted address.
        let serviceAccount = "/run/secrets/kubernetes.io/serviceaccount"
        try FileManager.default.createDirectory(atPath: serviceAccount, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: "/run/secrets") }
        try Data("in-cluster-token".utf8).write(to: URL(fileURLWithPath: serviceAccount + "/token"))
        try Data("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8).write(
            to: URL(fileURLWithPath: serviceAccount + "/ca.crt"))
        try FileManager.default.createDirectory(atPath: directory.file("sa"), withIntermediateDirectories: true)
        try directory.write("sa/token", "sa-token")
        try directory.write(
            "kubeconfig.conf",
            """
            apiVersion: v1
            kind: Config
            clusters: [{name: lab, cluster: {server: "\(server.baseURL)"}}]
            users: [{name: lab, user: {tokenFile: sa/token}}]
            contexts: [{name: lab, context: {cluster: lab, user: lab}}]
            current-context: lab
            """)
        try directory.write(
            "kube-proxy.yaml",
            """
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            mode: ipvs
            clientConnection:
              kubeconfig: \(directory.file("kubeconfig.conf"))
              qps: 20
              burst: 40
              contentType: application/vnd.kubernetes.protobuf
            """)
        let proxy = try ProxyProcess(
            arguments: [
                "run", "--config", directory.file("kube-proxy.yaml"), "--interface", ProxyLab.interface,
                "--hostname-override", "lab", "--healthz-bind-address", "", "--metrics-bind-address", "",
                "--api-cache", directory.file("api-cache"),
            ],
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"])
        defer { _ = proxy.stop() }
        let synced = try await ProxyLab.eventually(120) { try ProxyLab.peer(Self.vip)?.count == 2 }
        #expect(synced, "\(proxy.output)")
        let line = "API server \(server.baseURL) (server and credentials from kubeconfig "
            + "\(directory.file("kubeconfig.conf")) given by \(directory.file("kube-proxy.yaml")):5: key "
            + "clientConnection.kubeconfig, context lab)"
        #expect(proxy.output.contains(line), "\(proxy.output)")
        #expect(proxy.output.contains("speaks JSON"), "the protobuf contentType is noted: \(proxy.output)")
        #expect(server.requests.contains { $0.authorization == "Bearer sa-token" }, "\(server.requests)")
        await server.shutdown()
    }

    /// A kubeconfig whose `tls-server-name` is an IP (kubeadm's clusters reached by address, with the certificate
    /// made for the `kubernetes` Service's cluster IP): the proxy connects to the kubeconfig's server, sends no
    /// SNI, and accepts the certificate because it carries the IP among its IP subject alternative names; a
    /// certificate for the connected address only is refused before any request, and nothing is programmed.
    @Test(arguments: [true, false])
    func aKubeconfigWithAnIPServerNameConnectsOnlyToACertificateForThatIP(_ rightCertificate: Bool) async throws {
        try LabShell.prepareNetwork()
        ProxyLab.cleanup()
        defer { ProxyLab.cleanup() }
        let pki = try TestPKI.shared.get()
        let server = try await pki.server(
            presenting: rightCertificate ? pki.ipServer : pki.server, clients: .required, handler: Self.handler)
        let directory = try TemporaryDirectory()
        try directory.write("ca.crt", String(decoding: pki.ca.certificatePEM, as: UTF8.self))
        try directory.write("client.crt", String(decoding: pki.client.certificatePEM, as: UTF8.self))
        try directory.write("client.key", String(decoding: pki.client.keyPEM, as: UTF8.self))
        try directory.write(
            "kubeconfig.conf",
            """
            apiVersion: v1
            kind: Config
            clusters:
            - name: lab
              cluster: {server: "\(server.baseURL)", certificate-authority: ca.crt, tls-server-name: 10.96.0.1}
            users: [{name: lab, user: {client-certificate: client.crt, client-key: client.key}}]
            contexts: [{name: lab, context: {cluster: lab, user: lab}}]
            current-context: lab
            """)
        let proxy = try ProxyProcess(arguments: [
            "run", "--kubeconfig", directory.file("kubeconfig.conf"), "--interface", ProxyLab.interface,
            "--hostname-override", "lab", "--healthz-bind-address", "", "--metrics-bind-address", "",
            "--api-cache", directory.file("api-cache"),
        ])
        defer { _ = proxy.stop() }
        if rightCertificate {
            let synced = try await ProxyLab.eventually(120) { try ProxyLab.peer(Self.vip)?.count == 2 }
            #expect(synced, "\(proxy.output)")
            #expect(server.requests.contains { $0.clientCertificate != nil }, "\(server.requests)")
        } else {
            let refused = try await ProxyLab.eventually(120) { proxy.output.contains("no IP address 10.96.0.1") }
            #expect(refused, "\(proxy.output)")
            #expect(server.requests.isEmpty, "nothing is requested before the certificate is accepted")
            #expect(try ProxyLab.peer(Self.vip) == nil)
        }
        #expect(!server.handshakeServerNames.isEmpty && server.handshakeServerNames.allSatisfy { $0 == nil })
        await server.shutdown()
    }
}
