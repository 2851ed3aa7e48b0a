import Foundation
import Logging
import NIOSSL
import TestSupport
import Testing

@testable import Kube

/// `tls-server-name` as an IP address, verified as Go's crypto/tls does: the TCP connection goes to the
/// kubeconfig's server (127.0.0.1 here), no SNI is sent, the chain is verified against the kubeconfig's CA, and
/// the certificate must carry the IP among its IP subject alternative names (never its common name, never the
/// address connected to).
@Suite("tls-server-name as an IP address")
struct IPServerNameTLSTests {
    typealias TLS = APIServerTLSTests

    static func connection(
        _ directory: TemporaryDirectory, _ server: TestAPIServer, ca: TestPKI.Pair, pki: TestPKI
    ) throws -> ClusterConnection {
        try TLS.connection(
            directory, server: server.baseURL,
            cluster: ["certificate-authority-data": TLS.base64(ca.certificatePEM), "tls-server-name": "10.96.0.1"],
            user: [
                "client-certificate-data": TLS.base64(pki.client.certificatePEM),
                "client-key-data": TLS.base64(pki.client.keyPEM),
            ])
    }

    @Test func aCertificateWithTheIPSubjectAlternativeNameConnects() async throws {
        let pki = try TestPKI.shared.get()
        let server = try await TLS.server(pki.ipServer, clients: .required, pki: pki)
        let connection = try Self.connection(try TemporaryDirectory(), server, ca: pki.ca, pki: pki)
        #expect(connection.ipServerName?.description == "10.96.0.1")
        let events = try await collect(TLS.source(connection), until: TLS.synced)
        await server.shutdown()
        #expect(events.all(.service) == TLS.expectedServices)
        #expect(!server.handshakeServerNames.isEmpty)
        #expect(server.handshakeServerNames.allSatisfy { $0 == nil }, "no SNI for an IP")
        #expect(server.requests.allSatisfy { $0.host == "127.0.0.1:\(server.port)" && $0.clientCertificate != nil })
    }

    /// The certificates the IP is not valid for: only the connected address (127.0.0.1) as IP SAN; the IP as
    /// common name only; and the right IP SAN from a CA the kubeconfig does not name.
    enum Refused: CaseIterable {
        case onlyTheConnectedAddress, ipOnlyAsCommonName, untrustedChain
    }

    @Test(arguments: Refused.allCases)
    func aCertificateWithoutItIsRefusedAndNothingIsDelivered(_ refused: Refused) async throws {
        let pki = try TestPKI.shared.get()
        let (certificate, ca) =
            switch refused {
            case .onlyTheConnectedAddress: (pki.server, pki.ca)
            case .ipOnlyAsCommonName: (pki.ipCommonNameServer, pki.ca)
            case .untrustedChain: (pki.ipServer, pki.otherCA)
            }
        let server = try await TLS.server(certificate, clients: .optional, pki: pki)
        let connection = try Self.connection(try TemporaryDirectory(), server, ca: ca, pki: pki)
        let (events, failures) = try await TLS.failingRun(connection)
        await server.shutdown()
        #expect(!events.hasSynced && events.changeCount == 0)
        #expect(server.requests.isEmpty, "no request is written before the certificate is accepted")
        let errors = failures.map { $0.metadata["error"] ?? "" }
        switch refused {
        case .onlyTheConnectedAddress, .ipOnlyAsCommonName:
            #expect(errors.allSatisfy { $0.contains("no IP address 10.96.0.1") }, "\(errors)")
        case .untrustedChain:
            #expect(errors.allSatisfy { $0.contains("CERTIFICATE_VERIFY_FAILED") }, "\(errors)")
        }
    }

    @Test func anIPServerNameWithAProxyIsRefusedAtStart() async throws {
        var connection = ClusterConnection(
            server: "https://127.0.0.1:1", certificateAuthorityPEM: try TestPKI.shared.get().ca.certificatePEM,
            tlsServerName: "10.96.0.1")
        connection.proxyURL = "http://127.0.0.1:3128"
        await #expect(throws: SourceError.self) {
            try await TLS.source(connection).run { _ in }
        }
    }
}
