import Foundation
import NIOSSL
import TestSupport

/// A throwaway PKI made with the `openssl` CLI when the tests first need it: two unrelated CAs, a server
/// certificate for 127.0.0.1 and localhost, a server certificate valid only for `kubernetes.default.svc`,
/// and a client certificate, all signed by the first CA (EC P-256, valid for two days).
public struct TestPKI: Sendable {
    public struct Pair: Sendable {
        public let certificatePEM: [UInt8]
        public let keyPEM: [UInt8]
    }

    static let openssl = "/usr/bin/openssl"

    /// Made once per test run.
    public static let shared = Result { try TestPKI() }

    public let ca: Pair
    public let otherCA: Pair
    /// SAN IP:127.0.0.1, DNS:localhost; serverAuth.
    public let server: Pair
    /// SAN DNS:kubernetes.default.svc only; serverAuth.
    public let namedServer: Pair
    /// CN=ipvs-proxy, O=system:node-proxier; clientAuth.
    public let client: Pair
    /// SAN IP:10.96.0.1, DNS:kubernetes; serverAuth (a tls-server-name given as an IP).
    public let ipServer: Pair
    /// CN=10.96.0.1 but SAN DNS:kubernetes only; serverAuth.
    public let ipCommonNameServer: Pair

    init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.openssl) else {
            throw TestFailure("\(Self.openssl) is needed to make test certificates")
        }
        let directory = try TemporaryDirectory()
        try directory.write(
            "openssl.cnf",
            """
            [req]
            distinguished_name = dn
            prompt = no
            x509_extensions = ca
            [dn]
            CN = unused
            [ca]
            basicConstraints = critical,CA:TRUE
            keyUsage = critical,keyCertSign,cRLSign
            subjectKeyIdentifier = hash

            """)
        ca = try Self.authority("ca", "/CN=ipvs-proxy test CA", in: directory)
        otherCA = try Self.authority("other-ca", "/CN=unrelated test CA", in: directory)
        server = try Self.leaf(
            "server", "/CN=kube-apiserver", usage: "serverAuth", names: "IP:127.0.0.1,DNS:localhost", serial: 2,
            in: directory)
        namedServer = try Self.leaf(
            "named-server", "/CN=kube-apiserver", usage: "serverAuth", names: "DNS:kubernetes.default.svc", serial: 3,
            in: directory)
        ipServer = try Self.leaf(
            "ip-server", "/CN=kube-apiserver", usage: "serverAuth", names: "IP:10.96.0.1,DNS:kubernetes", serial: 5,
            in: directory)
        ipCommonNameServer = try Self.leaf(
            "ip-cn-server", "/CN=10.96.0.1", usage: "serverAuth", names: "DNS:kubernetes", serial: 6, in: directory)
        client = try Self.leaf(
            "client", "/O=system:node-proxier/CN=ipvs-proxy", usage: "clientAuth", names: nil, serial: 4,
            in: directory)
    }

    static func authority(_ name: String, _ subject: String, in directory: TemporaryDirectory) throws -> Pair {
        try run(
            "req", "-config", directory.file("openssl.cnf"), "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", subject,
            "-keyout", directory.file("\(name).key"), "-out", directory.file("\(name).crt"))
        return try pair(name, in: directory)
    }

    /// A certificate signed by `ca`.
    static func leaf(
        _ name: String, _ subject: String, usage: String, names: String?, serial: Int,
        in directory: TemporaryDirectory
    ) throws -> Pair {
        var extensions = [
            "basicConstraints = critical,CA:FALSE", "keyUsage = critical,digitalSignature,keyEncipherment",
            "extendedKeyUsage = \(usage)",
        ]
        if let names { extensions.append("subjectAltName = \(names)") }
        try directory.write("\(name).ext", extensions.joined(separator: "\n") + "\n")
        try run(
            "req", "-config", directory.file("openssl.cnf"), "-new", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-subj", subject,
            "-keyout", directory.file("\(name).key"), "-out", directory.file("\(name).csr"))
        try run(
            "x509", "-req", "-in", directory.file("\(name).csr"), "-CA", directory.file("ca.crt"),
            "-CAkey", directory.file("ca.key"), "-set_serial", String(serial), "-days", "2",
            "-extfile", directory.file("\(name).ext"), "-out", directory.file("\(name).crt"))
        return try pair(name, in: directory)
    }

    static func pair(_ name: String, in directory: TemporaryDirectory) throws -> Pair {
        guard let certificate = FileManager.default.contents(atPath: directory.file("\(name).crt")),
            let key = FileManager.default.contents(atPath: directory.file("\(name).key"))
        else { throw TestFailure("openssl wrote no \(name).crt/\(name).key") }
        return Pair(certificatePEM: Array(certificate), keyPEM: Array(key))
    }

    static func run(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure(
                "openssl \(arguments.joined(separator: " ")) failed (\(process.terminationStatus)): "
                    + String(decoding: output, as: UTF8.self))
        }
    }

    /// How a test server treats client certificates.
    public enum ClientCertificates: Sendable {
        /// Required and verified against the CA.
        case required
        /// Verified if presented (what kube-apiserver does, so tokens work too).
        case optional
    }

    /// The loopback API server over TLS, presenting `certificate` and trusting this PKI's CA for clients.
    public func server(
        presenting certificate: Pair, clients: ClientCertificates, handler: @escaping TestAPIServer.Handler
    ) async throws -> TestAPIServer {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(certificate.certificatePEM).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: certificate.keyPEM, format: .pem)))
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca.certificatePEM))
        tls.certificateVerification = clients == .required ? .noHostnameVerification : .optionalVerification
        return try await TestAPIServer(tls: tls, handler: handler)
    }
}
