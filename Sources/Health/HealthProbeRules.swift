import Values

/// The limits every probe parameter is held to, wherever it comes from: the operator's `--health-check-*` settings
/// (Settings names the flag, variable or file key) and a Service's `ipvs-proxy.io/health-check-*` annotations (the
/// translator names the Service and the annotation). One place, so both refuse the same values for the same reason.
///
/// Each check returns nil when the value is fine, else what is wrong with it, to follow the value's name.
public enum HealthProbeRules {
    /// The shortest interval and timeout a Service may ask for by annotation. The operator's own settings are not
    /// held to it (a short timeout is a legitimate choice); going below it only draws a warning at start.
    public static let minimumInterval: Duration = .seconds(1)
    /// The shortest timeout a Service may ask for by annotation.
    public static let minimumTimeout: Duration = .seconds(1)
    /// The longest HTTP path, in bytes.
    public static let maximumPathLength = 1024
    /// The longest Host name (a DNS name's limit), without the port.
    public static let maximumHostLength = 253
    /// The largest UDP payload, and the largest expected reply, in bytes.
    public static let maximumUDPBytes = 512

    /// What is wrong with an HTTP probe's path: it must start with `/`, hold at most ``maximumPathLength`` bytes,
    /// and only visible ASCII (no control character, space, DEL or other byte: percent-encode those), so that it
    /// cannot end the request line or add header lines.
    public static func pathProblem(_ path: String) -> String? {
        let bytes = Array(path.utf8)
        guard bytes.first == UInt8(ascii: "/") else { return "must start with /" }
        guard bytes.count <= maximumPathLength else {
            return "is \(bytes.count) bytes long (at most \(maximumPathLength))"
        }
        if let bad = bytes.first(where: { !(0x21...0x7E).contains($0) }) {
            return "contains \(describe(bad)) (only visible ASCII; percent-encode anything else)"
        }
        return nil
    }

    /// What is wrong with an HTTP probe's Host header: it must be `host` or `host:port`, where host is a DNS name
    /// (letters, digits and `-` in dot-separated labels of 1-63, at most ``maximumHostLength`` in all), an IPv4
    /// address, or an IPv6 address in brackets, and port is 1-65535.
    public static func hostProblem(_ host: String) -> String? {
        let bytes = Array(host.utf8)
        if let bad = bytes.first(where: { !(0x21...0x7E).contains($0) }) {
            return "contains \(describe(bad)) (expected host or host:port)"
        }
        var name = Substring(host)
        var port: Substring?
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return "has no ] after the IPv6 address" }
            let inner = name[name.index(after: name.startIndex)..<close]
            guard case .v6 = IPAddress(String(inner)) else { return "\"\(inner)\" is not an IPv6 address" }
            let rest = name[name.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix(":") else { return "expected :port after the IPv6 address" }
            return rest.isEmpty ? nil : portProblem(rest.dropFirst())
        }
        if let colon = name.firstIndex(of: ":") {
            port = name[name.index(after: colon)...]
            name = name[..<colon]
        }
        if let port {
            if port.contains(":") { return "is not host or host:port (an IPv6 address needs brackets)" }
            if let problem = portProblem(port) { return problem }
        }
        return dnsNameProblem(name)
    }

    static func portProblem(_ port: Substring) -> String? {
        guard port.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = Int(port), (1...65535).contains(number)
        else { return "port \"\(port)\" is not a number from 1 to 65535" }
        return nil
    }

    /// What is wrong with a UDP probe's payload: it must hold 1 to ``maximumUDPBytes`` bytes.
    public static func udpPayloadProblem(_ payload: [UInt8]) -> String? {
        if payload.isEmpty { return "is empty" }
        return payload.count > maximumUDPBytes ? "is \(payload.count) bytes long (at most \(maximumUDPBytes))" : nil
    }

    /// What is wrong with the text a UDP reply must contain: at most ``maximumUDPBytes`` bytes (empty: any reply).
    public static func udpExpectProblem(_ expect: [UInt8]) -> String? {
        expect.count > maximumUDPBytes ? "is \(expect.count) bytes long (at most \(maximumUDPBytes))" : nil
    }

    /// What is wrong with an interval asked for by annotation: less than ``minimumInterval``.
    public static func annotationIntervalProblem(_ interval: Duration) -> String? {
        interval < minimumInterval ? "is less than \(GoDuration.format(minimumInterval)), the least allowed" : nil
    }

    /// What is wrong with a timeout asked for by annotation: less than ``minimumTimeout``.
    public static func annotationTimeoutProblem(_ timeout: Duration) -> String? {
        timeout < minimumTimeout ? "is less than \(GoDuration.format(minimumTimeout)), the least allowed" : nil
    }

    /// `text` quoted for a log line or an error: control characters, DEL, `"` and `\` escaped (so a value cannot
    /// break a log line), and cut after 80 characters.
    public static func quoted(_ text: String) -> String {
        var out = ""
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if index == 80 {
                out += "..."
                break
            }
            switch scalar {
            case "\r": out += "\\r"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return "\"\(out)\""
    }

    /// A DNS name or IPv4 address: dot-separated labels of 1-63 letters, digits and `-`, not starting or ending
    /// with `-`, at most ``maximumHostLength`` in all (one trailing dot allowed).
    static func dnsNameProblem(_ name: Substring) -> String? {
        guard !name.isEmpty else { return "has no host name" }
        guard name.utf8.count <= maximumHostLength else {
            return "host name is \(name.utf8.count) characters long (at most \(maximumHostLength))"
        }
        let labels = (name.hasSuffix(".") ? name.dropLast() : name).split(
            separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard (1...63).contains(label.utf8.count) else {
                return "has a label of \(label.utf8.count) characters (1-63)"
            }
            guard label.utf8.allSatisfy({ isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }) else {
                return "host name may hold only letters, digits, - and ."
            }
            guard label.first != "-", label.last != "-" else { return "has a label starting or ending with -" }
        }
        return nil
    }

    static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// "a carriage return (CR, 0x0d)", "a space", ...
    static func describe(_ byte: UInt8) -> String {
        let hex = "0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
        switch byte {
        case 0x00: return "a NUL byte (\(hex))"
        case 0x0A: return "a line feed (LF, \(hex))"
        case 0x0D: return "a carriage return (CR, \(hex))"
        case 0x09: return "a tab (\(hex))"
        case 0x20: return "a space"
        case 0x7F: return "a DEL byte (\(hex))"
        case 0x80...: return "a non-ASCII byte (\(hex))"
        default: return "a control character (\(hex))"
        }
    }
}
