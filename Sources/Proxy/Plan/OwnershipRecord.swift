import Foundation
import IPVS
import Values

/// What the proxy made in the kernel, kept in a state file (`--ownership-file`, default
/// `/run/ipvs-proxy/owned.json`) so that it survives a restart: the virtual servers it created (or took over with
/// `--adopt`), the virtual servers it found held by another program (never its own afterwards, even when their
/// address is later bound to its link), and whether it created its dummy link. Updated from what the kernel
/// accepted, and from each full re-read of the table.
public struct OwnershipRecord: Sendable, Hashable {
    /// Virtual servers the proxy created or took over.
    public var virtualServers: Set<VirtualServerKey>
    /// Virtual servers found in the kernel that are another program's.
    public var foreign: Set<VirtualServerKey>
    /// True when the proxy created its dummy link (`--cleanup` then deletes it).
    public var createdLink: Bool

    /// A record.
    public init(
        virtualServers: Set<VirtualServerKey> = [], foreign: Set<VirtualServerKey> = [], createdLink: Bool = false
    ) {
        self.virtualServers = virtualServers
        self.foreign = foreign
        self.createdLink = createdLink
    }

    /// The file's form: keys as `{"protocol": "TCP", "address": "10.96.0.1", "port": 80}`, sorted.
    struct File: Codable {
        struct Key: Codable {
            var `protocol`: String
            var address: String
            var port: UInt16
        }
        var version: Int
        var createdLink: Bool
        var virtualServers: [Key]
        var foreign: [Key]
    }

    /// The codes of the record's errors.
    public enum ErrorCode: String, Values.ErrorCode {
        /// The file exists but cannot be read or understood.
        case unreadable
    }

    /// Writes it as JSON (``json``), atomically (write then rename), creating the directory.
    public func write(to path: String) throws {
        try StateFileJSON.write(Data(json.utf8), to: path)
    }

    /// The file's text: ``File`` as JSON, keys sorted, one virtual server a line. Written here rather than by
    /// `JSONEncoder`, which took a quarter of the loop thread's CPU in a lab cold sync at 10,000 Services (the record
    /// is saved after each pass that creates virtual servers, and a new node's initial state is programmed in tens
    /// of passes); read back by `JSONDecoder` (``read(from:)``), and checked against it in the tests.
    var json: String {
        let file = file
        var text = "{\n  \"createdLink\" : \(file.createdLink),\n  \"foreign\" : "
        text.reserveCapacity(64 * (file.virtualServers.count + file.foreign.count) + 128)
        Self.append(file.foreign, to: &text)
        text += ",\n  \"version\" : \(file.version),\n  \"virtualServers\" : "
        Self.append(file.virtualServers, to: &text)
        text += "\n}\n"
        return text
    }

    private static func append(_ keys: [File.Key], to text: inout String) {
        guard !keys.isEmpty else {
            text += "[]"
            return
        }
        text += "[\n"
        for (index, key) in keys.enumerated() {
            text += "    { \"address\" : "
            appendString(key.address, to: &text)
            text += ", \"port\" : "
            text += String(key.port)
            text += ", \"protocol\" : "
            appendString(key.protocol, to: &text)
            text += index == keys.count - 1 ? " }\n  ]" : " },\n"
        }
    }

    /// `value` as a JSON string. An address or a protocol name needs no escape; the rule is whole anyway.
    private static func appendString(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    /// Reads the record at `path`; nil when there is none (the first start, or the first after an upgrade).
    /// Firewall-mark keys are never recorded. Throws naming the file and what is wrong with it.
    public static func read(from path: String) throws(CodedError<ErrorCode>) -> OwnershipRecord? {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        } catch {
            throw CodedError(.unreadable, "ownership record \(path): \(error)")
        }
        guard file.version == 1 else {
            throw CodedError(.unreadable, "ownership record \(path): version \(file.version) is not 1")
        }
        func keys(_ list: [File.Key], _ field: String) throws(CodedError<ErrorCode>) -> Set<VirtualServerKey> {
            var out: Set<VirtualServerKey> = []
            for (index, key) in list.enumerated() {
                guard let proto = IPVSProtocol(rawValue: key.protocol.lowercased()), let address = IPAddress(key.address)
                else {
                    throw CodedError(
                        .unreadable, "ownership record \(path): \(field)[\(index)]: not a protocol and address")
                }
                out.insert(.service(proto, address, port: key.port))
            }
            return out
        }
        return OwnershipRecord(
            virtualServers: try keys(file.virtualServers, "virtualServers"), foreign: try keys(file.foreign, "foreign"),
            createdLink: file.createdLink)
    }

    var file: File {
        func keys(_ set: Set<VirtualServerKey>) -> [File.Key] {
            set.sorted().compactMap { key in
                guard case .service(let proto, let address, let port) = key else { return nil }
                return File.Key(protocol: proto.description, address: address.description, port: port)
            }
        }
        return File(version: 1, createdLink: createdLink, virtualServers: keys(virtualServers), foreign: keys(foreign))
    }
}
