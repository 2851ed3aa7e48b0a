import Foundation
import Values

/// Where an HTTP endpoint listens, as kube-proxy's `--healthz-bind-address`/`--metrics-bind-address` take it:
/// `host:port`, `[v6]:port`, `:port` (all IPv4 addresses), or a bare IP (the default port).
public struct BindAddress: Sendable, Hashable, CustomStringConvertible {
    /// The IP to listen on.
    public var host: IPAddress
    /// The TCP port; 0 lets the kernel choose.
    public var port: Int

    /// An address.
    public init(host: IPAddress, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `text`; `defaultPort` is used for a bare IP. Nil when it is none of the forms.
    public init?(_ text: String, defaultPort: Int) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let address = IPAddress(trimmed) {
            self.init(host: address, port: defaultPort)
            return
        }
        var host: Substring
        let portText: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { return nil }
            host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let after = trimmed[trimmed.index(after: close)...]
            guard after.hasPrefix(":") else { return nil }
            portText = after.dropFirst()
        } else {
            guard let colon = trimmed.lastIndex(of: ":") else { return nil }
            host = trimmed[..<colon]
            portText = trimmed[trimmed.index(after: colon)...]
            if host.isEmpty { host = "0.0.0.0" }
            guard !host.contains(":") else { return nil }
        }
        guard let address = IPAddress(host), let port = Int(portText), (0...65535).contains(port) else { return nil }
        self.init(host: address, port: port)
    }

    /// "host:port", with an IPv6 host bracketed.
    public var description: String { host.isIPv4 ? "\(host):\(port)" : "[\(host)]:\(port)" }
}
