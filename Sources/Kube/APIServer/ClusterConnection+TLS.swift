import Foundation
import NIOSSL

extension ClusterConnection {
    /// The TLS settings for an `https` server (nil for plain `http`, used by tests): the CA bundle as the
    /// only trust roots when given, the client certificate and key when given, no verification when
    /// insecure-skip-tls-verify is set. A DNS `tls-server-name` is applied through ``routing()`` (the name the
    /// certificate is verified against is the host of the URL the HTTP client is given); an IP one through
    /// ``ipServerName`` and the IP transport.
    public func tlsConfiguration() throws(KubeConfigError) -> TLSConfiguration? {
        guard server.lowercased().hasPrefix("https://") else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = certificateAuthorityPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if let certificate = clientCertificatePEM, let key = clientKeyPEM {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(certificate).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            }
        } catch {
            throw KubeConfigError(code: .invalidCredentials, message: "invalid certificate or key: \(error)")
        }
        if insecureSkipTLSVerify { tls.certificateVerification = .none }
        return tls
    }

    /// The current bearer token: the literal one, or the token file's content read now (trimmed), so a
    /// rotated service-account token is used from the next request on; the file's fallback while it cannot be
    /// read or is empty.
    public func currentToken() -> String? {
        switch token {
        case nil: return nil
        case .literal(let value): return value
        case .file(let path, let fallback):
            guard let data = FileManager.default.contents(atPath: path) else { return fallback }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? fallback : text
        }
    }
}
