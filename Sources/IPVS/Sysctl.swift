import Foundation
import Values

/// A kernel setting under /proc/sys, typed by the values it takes. Read and write throw `IPVSError`.
public struct Sysctl<Value: Sendable & Equatable>: Sendable {
    /// The dotted name ("net.ipv4.ip_forward").
    public let name: String
    let parse: @Sendable (String) -> Value?
    let format: @Sendable (Value) -> String
    /// The root of the tree, /proc/sys unless a test says otherwise.
    public var root: String = "/proc/sys"

    /// A setting; `parse` reads the file's trimmed text, `format` writes a value.
    public init(
        _ name: String, parse: @escaping @Sendable (String) -> Value?, format: @escaping @Sendable (Value) -> String
    ) {
        self.name = name
        self.parse = parse
        self.format = format
    }

    /// The file that holds it.
    public var path: String { root + "/" + name.replacingOccurrences(of: ".", with: "/") }

    /// The current value.
    public func read() throws -> Value {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw IPVSError(
                code: .file,
                message: "cannot read \(name) (\(path)): \(Self.reason(error))" + Self.hint(name),
                errno: Self.errno(error), object: name)
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let value = parse(trimmed) else {
            throw IPVSError(code: .malformedReply, message: "\(name) holds \"\(trimmed)\", not a value", object: name)
        }
        return value
    }

    /// Sets the value.
    public func write(_ value: Value) throws {
        do {
            try Data((format(value) + "\n").utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw IPVSError(
                code: .file, message: "cannot set \(name) to \(format(value)): \(Self.reason(error))" + Self.hint(name),
                errno: Self.errno(error), object: name)
        }
    }

    /// Sets the value unless it already has it; returns whether it changed.
    @discardableResult
    public func ensure(_ value: Value) throws -> Bool {
        if try read() == value { return false }
        try write(value)
        return true
    }

    static func errno(_ error: Error) -> Int32? { OSError(foundation: error)?.errno }

    static func reason(_ error: Error) -> String { OSError.text(of: error) }

    static func hint(_ name: String) -> String {
        name.hasPrefix("net.ipv4.vs.") ? " (the net.ipv4.vs settings exist only once ip_vs is loaded: `modprobe ip_vs`)"
            : ""
    }
}
