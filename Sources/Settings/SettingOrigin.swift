/// Where a value came from, for error messages that say what to fix.
public enum SettingOrigin: Sendable, Hashable, CustomStringConvertible {
    /// The built-in default.
    case defaults
    /// A config file, with the key as written there (`ipvs.scheduler` for kube-proxy's) and its line.
    case file(path: String, key: String, line: Int?)
    /// An environment variable.
    case environment(name: String)
    /// A command-line flag.
    case flag(name: String)

    /// How strongly it binds: flags over environment over file over defaults.
    public var precedence: Int {
        switch self {
        case .defaults: 0
        case .file: 1
        case .environment: 2
        case .flag: 3
        }
    }

    public var description: String {
        switch self {
        case .defaults: "the default"
        case .file(let path, let key, let line): "\(path)\(line.map { ":\($0)" } ?? ""): key \(key)"
        case .environment(let name): "environment variable \(name)"
        case .flag(let name): "--\(name)"
        }
    }
}
