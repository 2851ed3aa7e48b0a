import Values
import IPVS

/// The tests' one kernel-settings store: values by dotted name, names that refuse writes (as a read-only /proc/sys
/// or a missing ip_vs module would), and the writes made, in order.
public final class FakeSysctls: SysctlAccess {
    private struct State {
        var values: [String: String]
        var writes: [String] = []
    }

    private let state: Locked<State>
    private let unwritable: Set<String>

    /// A store holding `values`; writing a name in `unwritable` fails, and so does reading a name it does not hold.
    public init(_ values: [String: String], unwritable: Set<String> = []) {
        state = Locked(State(values: values))
        self.unwritable = unwritable
    }

    /// The value now held.
    public func value(_ name: String) -> String? { state.withLock { $0.values[name] } }

    /// "name=value" for each write, in order.
    public var writes: [String] { state.withLock { $0.writes } }

    public func read(_ name: String) throws -> String {
        guard let value = state.withLock({ $0.values[name] }) else {
            throw IPVSError(code: .file, message: "cannot read \(name): No such file or directory", object: name)
        }
        return value
    }

    public func write(_ name: String, _ value: String) throws {
        guard !unwritable.contains(name) else {
            throw IPVSError(code: .file, message: "cannot set \(name) to \(value): Read-only file system", object: name)
        }
        state.withLock {
            $0.values[name] = value
            $0.writes.append("\(name)=\(value)")
        }
    }
}
