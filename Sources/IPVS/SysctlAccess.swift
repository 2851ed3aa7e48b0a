/// Reads and writes kernel settings by their dotted name ("net.ipv4.vs.conntrack"), as text. The seam between the
/// proxy's decisions about kernel settings and the files under /proc/sys: the real one (``ProcSysctls``) does
/// blocking file I/O, so callers run it off Swift's cooperative pool; the tests use a fake.
public protocol SysctlAccess: Sendable {
    /// The setting's current value, trimmed. Throws `IPVSError` (code `.file`) when it cannot be read. Blocks.
    func read(_ name: String) throws -> String
    /// Sets the value. Throws `IPVSError` (code `.file`) when it cannot be written. Blocks.
    func write(_ name: String, _ value: String) throws
}

/// The settings under /proc/sys (or another root, for tests), through ``Sysctl``'s reads and writes, so errors
/// name the setting and its file and say `modprobe ip_vs` when a net.ipv4.vs setting is missing.
public struct ProcSysctls: SysctlAccess {
    /// The root of the tree.
    public var root: String

    /// The tree at `root`.
    public init(root: String = "/proc/sys") {
        self.root = root
    }

    public func read(_ name: String) throws -> String {
        try setting(name).read()
    }

    public func write(_ name: String, _ value: String) throws {
        try setting(name).write(value)
    }

    private func setting(_ name: String) -> Sysctl<String> {
        var setting = Sysctl<String>(name, parse: { $0 }, format: { $0 })
        setting.root = root
        return setting
    }
}
