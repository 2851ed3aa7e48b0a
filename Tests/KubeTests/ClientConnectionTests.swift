import AsyncHTTPClient
import Foundation
import TestSupport
import Testing

@testable import Kube

/// client-go's rules for reaching the API server: precedence, `--master`, what a kubeconfig may say, the start
/// line, and the client-side rate limit.
@Suite("client connection: precedence, --master, kubeconfig rules, start line")
final class ClientConnectionTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    /// A kubeconfig with one cluster, user and context; `cluster` and `user` are YAML flow-mapping bodies.
    func kubeconfig(_ name: String, server: String, cluster: String = "", user: String = "token: t") throws {
        try directory.write(
            name,
            """
            current-context: c
            clusters: [{name: k, cluster: {server: "\(server)"\(cluster.isEmpty ? "" : ", " + cluster)}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            users: [{name: u, user: {\(user)}}]
            """)
    }

    func inCluster() throws -> (environment: [String: String], config: InClusterConfig) {
        try FileManager.default.createDirectory(atPath: directory.file("sa"), withIntermediateDirectories: true)
        try directory.write("sa/token", "sa-token")
        try directory.write("sa/ca.crt", KubeConfigTests.caPEM)
        return (
            ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443", "HOME": directory.file("home")],
            InClusterConfig(secretsDirectory: directory.file("sa"))
        )
    }

    @Test func precedenceExplicitThenKUBECONFIGThenHomeThenInCluster() throws {
        var (environment, config) = try inCluster()
        try FileManager.default.createDirectory(atPath: directory.file("home/.kube"), withIntermediateDirectories: true)
        try kubeconfig("explicit", server: "https://explicit:6443")
        try kubeconfig("listed", server: "https://listed:6443")
        try kubeconfig("home/.kube/config", server: "https://home:6443")
        environment["KUBECONFIG"] = directory.file("listed")
        func server(_ explicit: String?) throws -> ResolvedConnection {
            try KubeConfigLoader.locate(explicitPath: explicit, environment: environment, inCluster: config)
        }
        #expect(try server(directory.file("explicit")).connection.server == "https://explicit:6443")
        #expect(try server(nil).connection.server == "https://listed:6443")
        environment["KUBECONFIG"] = nil
        #expect(try server(nil).connection.server == "https://home:6443")
        try FileManager.default.removeItem(atPath: directory.file("home/.kube/config"))
        let fallback = try server(nil)
        #expect(fallback.connection.server == "https://10.96.0.1:443")
        #expect(fallback.source == .inCluster(secretsDirectory: directory.file("sa")))
    }

    @Test func masterOverridesTheServerAndClearsTLSServerName() throws {
        let (environment, config) = try inCluster()
        try kubeconfig("config", server: "https://10.96.0.1:443", cluster: "tls-server-name: kubernetes")
        let resolved = try KubeConfigLoader.locate(
            explicitPath: directory.file("config"), master: "https://192.0.2.10:6443", environment: environment,
            inCluster: config)
        #expect(resolved.connection.server == "https://192.0.2.10:6443")
        #expect(resolved.connection.tlsServerName == nil)
        #expect(resolved.connection.token == .literal("t"), "the kubeconfig's credentials stay")
        #expect(
            resolved.startLine
                == "API server https://192.0.2.10:6443 (server from --master; credentials from kubeconfig "
                + "\(directory.file("config")) given by --kubeconfig, context c)")
    }

    @Test func masterAloneHasNoCredentialsAndSkipsInCluster() throws {
        let (environment, config) = try inCluster()
        let resolved = try KubeConfigLoader.locate(
            master: "http://127.0.0.1:8080", masterOrigin: "environment variable IPVS_PROXY_MASTER",
            environment: environment, inCluster: config)
        #expect(resolved.connection == ClusterConnection(server: "http://127.0.0.1:8080"))
        #expect(resolved.source == .master)
        #expect(
            resolved.startLine
                == "API server http://127.0.0.1:8080 (server from environment variable IPVS_PROXY_MASTER; "
                + "no kubeconfig: no credentials, the system trust store)")
    }

    @Test func startLineNamesTheKubeconfigOrTheInClusterEnvironment() throws {
        let (environment, config) = try inCluster()
        try kubeconfig("config", server: "https://cp.example:6443", cluster: "tls-server-name: api")
        let fromFile = try KubeConfigLoader.locate(
            explicitPath: directory.file("config"),
            explicitPathOrigin: "/etc/kube-proxy.yaml:3: key clientConnection.kubeconfig", environment: environment,
            inCluster: config)
        #expect(
            fromFile.startLine
                == "API server https://cp.example:6443 (server and credentials from kubeconfig "
                + "\(directory.file("config")) given by /etc/kube-proxy.yaml:3: key clientConnection.kubeconfig, "
                + "context c; tls-server-name api)")
        let inCluster = try KubeConfigLoader.locate(environment: environment, inCluster: config)
        #expect(
            inCluster.startLine
                == "API server https://10.96.0.1:443 (in-cluster: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT "
                + "and \(directory.file("sa")))")
    }

    @Test func tokenFileWinsOverTokenWhichStaysTheFallback() throws {
        try kubeconfig("config", server: "https://x", user: "token: literal, tokenFile: token")
        let connection = try KubeConfigLoader.resolve(explicitPath: directory.file("config"), environment: [:])
        #expect(connection.token == .file(directory.file("token"), fallback: "literal"))
        #expect(connection.currentToken() == "literal", "no file yet")
        try directory.write("token", "from-file\n")
        #expect(connection.currentToken() == "from-file")
    }

    @Test(arguments: [
        ("", "auth-provider: {name: gcp}", "user \"u\": auth-provider plugins (gcp) are not supported"),
        ("", "exec: {command: aws, apiVersion: v1}", "user \"u\": exec credential plugins (aws) are not supported"),
        ("", "username: a, password: b", "user \"u\": basic authentication is not supported"),
        ("", "token: t, as: admin", "user \"u\": impersonation (as) is not supported"),
        ("", "client-certificate: c.crt, client-certificate-data: Q0VSVA==, client-key-data: S0VZ",
         "user \"u\": client-certificate-data and client-certificate are both set"),
        ("certificate-authority: ca.crt, certificate-authority-data: Q0E=", "token: t",
         "cluster \"k\": certificate-authority-data and certificate-authority are both set"),
        ("certificate-authority-data: Q0E=, insecure-skip-tls-verify: true", "token: t",
         "cluster \"k\": insecure-skip-tls-verify cannot be combined with a certificate-authority"),
        ("proxy-url: \"https://proxy:3128\"", "token: t",
         "cluster \"k\": proxy-url \"https://proxy:3128\": an https:// proxy is not supported"),
    ])
    func whatClientGoRefusesOrThisClientCannotDoIsNamed(cluster: String, user: String, message: String) throws {
        try kubeconfig("config", server: "https://x", cluster: cluster, user: user)
        let path = directory.file("config")
        let error = #expect(throws: KubeConfigError.self) {
            try KubeConfigLoader.resolve(explicitPath: path, environment: [:])
        }
        #expect(error?.message.hasPrefix("\(path): \(message)") == true, "\(error?.message ?? "none")")
    }

    @Test func proxyURLBecomesTheHTTPClientsProxy() throws {
        try kubeconfig("config", server: "https://x", cluster: "proxy-url: \"http://me:secret@proxy:3128\"")
        let resolved = try KubeConfigLoader.locate(explicitPath: directory.file("config"), environment: [:])
        #expect(
            try resolved.connection.httpProxy()
                == .server(host: "proxy", port: 3128, authorization: .basic(username: "me", password: "secret")))
        #expect(resolved.startLine.hasSuffix("through proxy http://proxy:3128)"), "credentials stay out of the log")
        try kubeconfig("socks", server: "https://x", cluster: "proxy-url: \"socks5://[fd00::9]\"")
        let socks = try KubeConfigLoader.resolve(explicitPath: directory.file("socks"), environment: [:])
        #expect(try socks.httpProxy() == .socksServer(host: "fd00::9", port: 1080))
    }
}

/// client-go's token bucket (golang.org/x/time/rate), on given times: a fake clock.
@Suite struct TokenBucketTests {
    @Test func aFullBurstThenOneRequestPerTokenAccrued() {
        var bucket = TokenBucket(qps: 5, burst: 10)
        let start = Duration.seconds(100)
        for _ in 0..<10 { #expect(bucket.reserve(at: start) == .zero) }
        // The 11th waits for one token (1/5 s), the 12th for two.
        #expect(bucket.reserve(at: start) == .milliseconds(200))
        #expect(bucket.reserve(at: start) == .milliseconds(400))
        // A second later five tokens have accrued, which pay off the two reserved: three are free.
        let later = start + .seconds(1)
        for _ in 0..<3 { #expect(bucket.reserve(at: later) == .zero) }
        #expect(bucket.reserve(at: later) == .milliseconds(200))
    }

    @Test func anIdleBucketRefillsOnlyUpToTheBurst() {
        var bucket = TokenBucket(qps: 2, burst: 3)
        for _ in 0..<3 { #expect(bucket.reserve(at: .zero) == .zero) }
        let hourLater = Duration.seconds(3600)
        for _ in 0..<3 { #expect(bucket.reserve(at: hourLater) == .zero) }
        #expect(bucket.reserve(at: hourLater) == .milliseconds(500))
        // Time going backwards (it does not, on a monotonic clock) adds nothing.
        #expect(bucket.reserve(at: .seconds(10)) == .seconds(1))
    }

    @Test func clientGoDefaultsAndTheOffSwitch() {
        #expect(RequestRateLimit(qps: 0, burst: 0) == RequestRateLimit.clientGoDefault)
        #expect(RequestRateLimit(qps: 0, burst: 0).qps == 5 && RequestRateLimit(qps: 0, burst: 0).burst == 10)
        #expect(RequestRateLimit(qps: 20, burst: 30) == RequestRateLimit(qps: 20, burst: 30))
        #expect(RequestRateLimit(qps: -1, burst: 0).qps == nil)
    }

    /// A clock that moves only when told, and records the sleeps asked of it.
    final class ManualClock: Clock, @unchecked Sendable {
        struct Instant: InstantProtocol {
            var offset: Duration
            func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
            func duration(to other: Instant) -> Duration { other.offset - offset }
            static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        }
        private let lock = NSLock()
        private var current = Instant(offset: .zero)
        private var sleeps: [Duration] = []
        var now: Instant { lock.withLock { current } }
        var minimumResolution: Duration { .nanoseconds(1) }
        var slept: [Duration] { lock.withLock { sleeps } }
        func advance(_ duration: Duration) { lock.withLock { current = current.advanced(by: duration) } }
        /// Records the sleep and moves the clock past it, so the waiting request goes on.
        func sleep(until deadline: Instant, tolerance: Duration?) async throws {
            lock.withLock {
                sleeps.append(current.duration(to: deadline))
                if deadline > current { current = deadline }
            }
        }
    }

    @Test func theLimiterSleepsOnItsClockForTheBucketsWait() async throws {
        let clock = ManualClock()
        let limiter = RequestRateLimiter(RequestRateLimit(qps: 10, burst: 2), clock: clock)
        for _ in 0..<3 { try await limiter.wait() }
        #expect(clock.slept == [.milliseconds(100)])
        clock.advance(.seconds(1))
        for _ in 0..<2 { try await limiter.wait() }
        #expect(clock.slept == [.milliseconds(100)], "two tokens accrued while idle")
        let unlimited = RequestRateLimiter(RequestRateLimit(qps: -1, burst: 1), clock: clock)
        for _ in 0..<50 { try await unlimited.wait() }
        #expect(clock.slept.count == 1)
    }
}
