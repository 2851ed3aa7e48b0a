import Foundation
import Logging
import NIOSSL
import TestSupport
import Testing

@testable import Kube

/// The API-server source over real TLS: a throwaway PKI (``TestPKI``), the loopback API server behind
/// NIOSSL, and the connection resolved from a kubeconfig file exactly as a user would write it.
@Suite("API-server source over TLS")
struct APIServerTLSTests {
    typealias Replay = APIServerReplay

    /// Services: one list page, then the recorded watch; slices: list, then a quiet watch.
    static func replay(_ request: TestAPIServer.Request) -> TestAPIServer.Response {
        do {
            switch (request.path, request.isWatch) {
            case (Replay.servicesPath, false): return .json(status: 200, body: try Fixtures.text("services-list.json"))
            case (Replay.servicesPath, true): return .stream(try Fixtures.lines("services-watch.jsonl"), .hold)
            default: return try APIServerSourceTests.quietSlices(request)
            }
        } catch {
            return .json(status: 500, body: "{}")
        }
    }

    static let expectedServices =
        APIServerSourceTests.initialServices + [
            "upsert services/default/web", "upsert services/default/late", "delete services/default/late",
        ]

    typealias ClientCertificates = TestPKI.ClientCertificates

    /// The loopback API server presenting `certificate`, replaying the recordings.
    static func server(
        _ certificate: TestPKI.Pair, clients: ClientCertificates, pki: TestPKI
    ) async throws -> TestAPIServer {
        try await pki.server(presenting: certificate, clients: clients, handler: replay)
    }

    /// Writes a kubeconfig with one cluster, user and context, and resolves it.
    static func connection(
        _ directory: TemporaryDirectory, server: String, cluster: [String: String], user: [String: String]
    ) throws -> ClusterConnection {
        func fields(_ values: [String: String]) -> String {
            values.sorted { $0.key < $1.key }.map { "    \($0.key): \($0.value)\n" }.joined()
        }
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: lab
              cluster:
                server: \(server)
            \(fields(cluster))users:
            - name: proxy
              user:
            \(user.isEmpty ? "    {}\n" : fields(user))contexts:
            - name: lab
              context:
                cluster: lab
                user: proxy
            current-context: lab

            """
        try directory.write("config", text)
        return try KubeConfigLoader.resolve(explicitPath: directory.file("config"), environment: [:])
    }

    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    static func source(_ connection: ClusterConnection, logger: Logger? = nil) -> APIServerSource {
        var options = APIServerSource.Options()
        options.backoff = Backoff(initial: .milliseconds(10), cap: .milliseconds(50))
        options.watchTimeoutSeconds = 60...60
        var quiet = Logger(label: "kube-test")
        quiet.logLevel = .critical
        return APIServerSource(connection: connection, options: options, logger: logger ?? quiet)
    }

    static func synced(_ events: [SourceEvent]) -> Bool { events.hasSynced && events.changeCount == 10 }

    enum RunOutcome: Sendable {
        case events([SourceEvent])
        case failuresSeen
        case timedOut
        case stopped
    }

    /// Runs a source that is expected never to get through: returns what it delivered and logged by the
    /// time both resources have logged `failures` failed lists.
    static func failingRun(
        _ connection: ClusterConnection, failures: Int = 2
    ) async throws -> (events: [SourceEvent], failures: [LogCapture.Record]) {
        let capture = LogCapture()
        let source = source(connection, logger: capture.logger())
        // A failed request (the first of a run is logged as the connection degrading, later ones as they come).
        let failed: @Sendable (LogCapture.Record) -> Bool = { $0.metadata["error"] != nil }
        let events = try await withThrowingTaskGroup(of: RunOutcome.self) { group in
            group.addTask {
                try await source.withEvents { iterator in
                    var events: [SourceEvent] = []
                    while let event = await iterator.next() { events.append(event) }
                    return .events(events)
                }
            }
            group.addTask {
                var seen: [String: Int] = [:]
                for await record in capture.stream where failed(record) {
                    seen[record.metadata["resource"] ?? "", default: 0] += 1
                    if seen.count == 2 && seen.values.allSatisfy({ $0 >= failures }) { return .failuresSeen }
                }
                return .stopped
            }
            group.addTask {
                // A safety limit, not a speed: a loaded run under ThreadSanitizer saw no handshake fail within 20 s.
                try? await Task.sleep(for: starvedPoolLimit)
                return Task.isCancelled ? .stopped : .timedOut
            }
            var events: [SourceEvent]?
            while let outcome = try await group.next() {
                switch outcome {
                case .events(let delivered): events = delivered
                case .failuresSeen: group.cancelAll()
                case .timedOut: throw TestFailure("the source did not report failures in time: \(capture.records)")
                case .stopped: break
                }
            }
            return events ?? []
        }
        return (events, capture.records.filter(failed))
    }

    @Test func clientCertificateAndCADataFromKubeconfigListAndWatch() async throws {
        let pki = try TestPKI.shared.get()
        let server = try await Self.server(pki.server, clients: .required, pki: pki)
        let directory = try TemporaryDirectory()
        let connection = try Self.connection(
            directory, server: server.baseURL,
            cluster: ["certificate-authority-data": Self.base64(pki.ca.certificatePEM)],
            user: [
                "client-certificate-data": Self.base64(pki.client.certificatePEM),
                "client-key-data": Self.base64(pki.client.keyPEM),
            ])
        #expect(connection.server.hasPrefix("https://127.0.0.1:"))
        let events = try await collect(Self.source(connection), until: Self.synced)
        await server.shutdown()
        #expect(events.all(.service) == Self.expectedServices)
        #expect(events.all(.endpointSlice) == APIServerSourceTests.initialSlices)
        let requests = server.requests
        // The Services watch certainly ran (its events arrived); the slices watch may not have started yet.
        #expect(requests.contains { $0.isWatch && $0.path == Replay.servicesPath })
        let clientDER = try NIOSSLCertificate.fromPEMBytes(pki.client.certificatePEM).first?.toDERBytes()
        #expect(clientDER != nil)
        #expect(requests.allSatisfy { $0.clientCertificate == clientDER && $0.authorization == nil })
    }

    enum Failure: String, CaseIterable, Sendable {
        /// The kubeconfig trusts an unrelated CA.
        case wrongCA
        /// No CA given and no skip: the system trust store does not know the test CA.
        case noCAWithoutSkip
        /// The server requires a client certificate; the user has only a token.
        case noClientCertificate
        /// The server certificate names only kubernetes.default.svc; no tls-server-name is set.
        case nameMismatchWithoutTLSServerName
    }

    @Test(arguments: Failure.allCases)
    func tlsFailureDeliversNothingAndSaysWhy(_ failure: Failure) async throws {
        let pki = try TestPKI.shared.get()
        let certificate = failure == .nameMismatchWithoutTLSServerName ? pki.namedServer : pki.server
        let server = try await Self.server(
            certificate, clients: failure == .noClientCertificate ? .required : .optional, pki: pki)
        let directory = try TemporaryDirectory()
        let ca = failure == .wrongCA ? pki.otherCA : pki.ca
        let cluster = failure == .noCAWithoutSkip ? [:] : ["certificate-authority-data": Self.base64(ca.certificatePEM)]
        let connection = try Self.connection(
            directory, server: server.baseURL, cluster: cluster, user: ["token": "t0k3n"])
        let (events, failures) = try await Self.failingRun(connection)
        await server.shutdown()
        #expect(events.isEmpty)
        #expect(server.requests.isEmpty)
        let errors = failures.compactMap { $0.metadata["error"] }
        #expect(!errors.isEmpty)
        let expected =
            switch failure {
            case .wrongCA, .noCAWithoutSkip: "CERTIFICATE_VERIFY_FAILED"
            case .nameMismatchWithoutTLSServerName: "hostname"
            case .noClientCertificate: "CERTIFICATE_REQUIRED"
            }
        #expect(errors.allSatisfy { $0.localizedCaseInsensitiveContains(expected) }, "\(errors)")
        // What to check, in kubeconfig terms.
        let hints = failures.map { $0.metadata["hint"] ?? "" }
        let hint =
            switch failure {
            case .wrongCA: "not trusted: the configured certificate-authority does not sign it"
            case .noCAWithoutSkip: "not trusted: no certificate-authority is configured"
            case .nameMismatchWithoutTLSServerName: "not valid for the server address; set tls-server-name"
            case .noClientCertificate: "requires a valid client certificate (client-certificate, client-key): none"
            }
        #expect(hints.allSatisfy { $0.contains(hint) }, "\(hints)")
    }

    @Test func insecureSkipTLSVerifyWorksWithoutCA() async throws {
        let pki = try TestPKI.shared.get()
        let server = try await Self.server(pki.namedServer, clients: .optional, pki: pki)
        let directory = try TemporaryDirectory()
        let connection = try Self.connection(
            directory, server: server.baseURL, cluster: ["insecure-skip-tls-verify": "true"], user: ["token": "t0k3n"])
        #expect(connection.certificateAuthorityPEM == nil && connection.insecureSkipTLSVerify)
        let events = try await collect(Self.source(connection), until: Self.synced)
        await server.shutdown()
        #expect(events.all(.service) == Self.expectedServices)
        #expect(server.requests.allSatisfy { $0.authorization == "Bearer t0k3n" })
    }

    @Test func bearerTokenFileReachesTheServerOverTLS() async throws {
        let pki = try TestPKI.shared.get()
        let server = try await Self.server(pki.server, clients: .optional, pki: pki)
        let directory = try TemporaryDirectory()
        try Data(pki.ca.certificatePEM).write(to: URL(fileURLWithPath: directory.file("ca.crt")))
        try directory.write("token", "s3cr3t-from-file\n")
        // Relative paths are resolved against the kubeconfig's directory; the user field is `tokenFile`.
        let connection = try Self.connection(
            directory, server: server.baseURL, cluster: ["certificate-authority": "ca.crt"],
            user: ["tokenFile": "token"])
        let events = try await collect(Self.source(connection), until: Self.synced)
        await server.shutdown()
        #expect(events.all(.service) == Self.expectedServices)
        let requests = server.requests
        #expect(!requests.isEmpty)
        #expect(
            requests.allSatisfy { $0.authorization == "Bearer s3cr3t-from-file" && $0.clientCertificate == nil },
            "\(requests.map { ($0.authorization, $0.clientCertificate?.count) })")
    }

    @Test func tlsServerNameIsVerifiedAndSentWhileConnectingToTheServerAddress() async throws {
        let pki = try TestPKI.shared.get()
        let server = try await Self.server(pki.namedServer, clients: .required, pki: pki)
        let directory = try TemporaryDirectory()
        let connection = try Self.connection(
            directory, server: server.baseURL,
            cluster: [
                "certificate-authority-data": Self.base64(pki.ca.certificatePEM),
                "tls-server-name": "kubernetes.default.svc",
            ],
            user: [
                "client-certificate-data": Self.base64(pki.client.certificatePEM),
                "client-key-data": Self.base64(pki.client.keyPEM),
            ])
        #expect(connection.tlsServerName == "kubernetes.default.svc")
        let events = try await collect(Self.source(connection), until: Self.synced)
        await server.shutdown()
        #expect(events.all(.service) == Self.expectedServices)
        #expect(!server.handshakeServerNames.isEmpty)
        #expect(server.handshakeServerNames.allSatisfy { $0 == "kubernetes.default.svc" })
        // The Host header keeps the configured address, as kubectl's does.
        #expect(server.requests.allSatisfy { $0.host == "127.0.0.1:\(server.port)" })
    }
}
