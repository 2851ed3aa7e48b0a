/// One setting the proxy takes: its name is the command-line flag (without `--`), the key in ipvs-proxy's own
/// config file, and, upper-cased with `_` and prefixed `IPVS_PROXY_`, its environment variable.
public struct SettingKey: Sendable, Hashable, CustomStringConvertible {
    /// What values it takes.
    public enum Kind: String, Sendable, Hashable {
        /// Free text.
        case text
        /// A duration: Go syntax ("30s", "1m30s", "500ms") or a bare number of seconds.
        case duration
        /// true or false.
        case bool
        /// CIDRs, as a YAML list or comma-separated.
        case cidrs
        /// host:port, [v6]:port, :port, a bare IP (default port), or empty to turn the server off.
        case bindAddress
        /// low-high ports.
        case portRange
        /// One of a fixed set of words.
        case choice
        /// A whole number, at least 1.
        case count
        /// A decimal number (may be negative).
        case number
        /// A whole number, at least 0.
        case wholeNumber
    }

    /// The flag's name without `--`, e.g. `ipvs-scheduler`.
    public var name: String
    /// What values it takes.
    public var kind: Kind
    /// The value when nothing sets it; nil means unset.
    public var defaultValue: String?
    /// One line for docs and `--help`.
    public var help: String
    /// The words a `.choice` takes.
    public var choices: [String]

    /// A setting.
    public init(_ name: String, _ kind: Kind, default defaultValue: String?, help: String, choices: [String] = []) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
        self.choices = choices
    }

    /// `IPVS_PROXY_` and the name upper-cased with `_`: `IPVS_PROXY_IPVS_SCHEDULER`.
    public var environmentName: String {
        SettingKey.environmentPrefix + name.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// The prefix of every environment variable the proxy reads.
    public static let environmentPrefix = "IPVS_PROXY_"

    public var description: String { name }
}
