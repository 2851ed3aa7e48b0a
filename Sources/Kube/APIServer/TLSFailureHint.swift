import NIOSSL

/// Turns a TLS failure into what an operator should check, naming the kubeconfig fields involved.
///
/// The TLS library's own errors say what failed in BoringSSL terms (`CERTIFICATE_VERIFY_FAILED`,
/// "couldn't find <none> in certificate"); this says which setting to look at. Nil for anything that is
/// not a TLS failure.
enum TLSFailureHint {
    static func hint(for error: any Error, connection: ClusterConnection) -> String? {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            let name = connection.tlsServerName.map { "tls-server-name \"\($0)\"" } ?? "the server address"
            return "the API server's certificate is not valid for \(name); set tls-server-name to a name the "
                + "certificate carries, or use such a name in the server URL"
        }
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            let trust =
                connection.certificateAuthorityPEM == nil
                ? "no certificate-authority is configured, so only the system trust store is used"
                : "the configured certificate-authority does not sign it"
            return "the API server's certificate is not trusted: \(trust)"
        }
        if text.contains("CERTIFICATE_REQUIRED") || text.contains("ALERT_BAD_CERTIFICATE")
            || text.contains("ALERT_UNKNOWN_CA")
        {
            let given = connection.clientCertificatePEM == nil ? "none is configured" : "the one given was refused"
            return "the API server requires a valid client certificate (client-certificate, client-key): \(given)"
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return "TLS with the API server failed; check certificate-authority, client-certificate and "
                + "tls-server-name"
        }
        return nil
    }
}
