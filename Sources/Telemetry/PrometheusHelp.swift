import Foundation

/// Adds `# HELP` lines to Prometheus text: swift-metrics hands the backend no help text, so the families made
/// through it come out with `# TYPE` alone. Each family named in `help` without a HELP line gets one, just before
/// its TYPE line; everything else is left as it is.
public enum PrometheusHelp {
    /// `text` with the help of each family in `help` (by family name).
    public static func adding(_ help: [String: String], to text: [UInt8]) -> [UInt8] {
        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var out = ""
        out.reserveCapacity(text.count + help.count * 64)
        var previous: Substring = ""
        for line in lines {
            if line.hasPrefix("# TYPE "), !previous.hasPrefix("# HELP ") {
                let name = line.dropFirst("# TYPE ".count).split(separator: " ").first.map(String.init) ?? ""
                if let text = help[name] { out += "# HELP \(name) \(escaped(text))\n" }
            }
            out += line
            out += "\n"
            previous = line
        }
        if !out.isEmpty { out.removeLast() }  // the line feed after the last piece, which the input did not have
        return Array(out.utf8)
    }

    /// The exposition format's escapes for help text: backslash and line feed.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
