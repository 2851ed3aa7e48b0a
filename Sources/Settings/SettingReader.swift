import Values
import Foundation

/// Reads typed values out of merged raw settings; every failure names where the bad value came from.
struct SettingReader {
    let values: [String: RawSetting]

    func raw(_ key: SettingKey) -> RawSetting? { values[key.name] }

    func fail(_ raw: RawSetting, _ what: String) -> SettingsError {
        SettingsError(.badValue, "\(raw.origin): \(what)")
    }

    func text(_ key: SettingKey) throws -> String? {
        guard let raw = raw(key) else { return nil }
        guard case .text(let text) = raw.value else { throw fail(raw, "expected one value, not a list") }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    func duration(_ key: SettingKey) throws -> Duration {
        guard let raw = raw(key), let text = try text(key) else { return .zero }
        guard let duration = GoDuration.parse(text, bareSeconds: true) else {
            throw fail(raw, "\"\(text)\" is not a duration (like 30s, 1m30s, 500ms)")
        }
        return duration
    }

    func positiveDuration(_ key: SettingKey) throws -> Duration {
        let duration = try duration(key)
        if duration <= .zero, let raw = raw(key) { throw fail(raw, "must be more than 0") }
        return duration
    }

    func seconds(_ key: SettingKey) throws -> UInt32 {
        let duration = try duration(key)
        let seconds = duration.components.seconds
        if let raw = raw(key), seconds > Int64(UInt32.max) || (duration > .zero && seconds == 0) {
            throw fail(raw, "must be 0 (leave as is) or between 1s and \(UInt32.max)s")
        }
        return UInt32(seconds)
    }

    /// The value as given, spaces and all; "" is a value here (nil: not given).
    func verbatim(_ key: SettingKey) throws -> String? {
        guard let raw = raw(key) else { return nil }
        guard case .text(let text) = raw.value else { throw fail(raw, "expected one value, not a list") }
        return text
    }

    func count(_ key: SettingKey) throws -> Int {
        guard let raw = raw(key), let text = try text(key) else { return Int(key.defaultValue ?? "") ?? 1 }
        guard let value = Int(text), value >= 1 else {
            throw fail(raw, "\"\(text)\" is not a whole number of at least 1")
        }
        return value
    }

    func number(_ key: SettingKey) throws -> Double {
        guard let raw = raw(key), let text = try text(key) else { return Double(key.defaultValue ?? "") ?? 0 }
        guard let value = Double(text), value.isFinite else { throw fail(raw, "\"\(text)\" is not a number") }
        return value
    }

    /// A percent more than 0 and at most 100.
    func percent(_ key: SettingKey) throws -> Double {
        let value = try number(key)
        if !(value > 0 && value <= 100), let raw = raw(key), let text = try text(key) {
            throw fail(raw, "\"\(text)\" is not a percent more than 0 and at most 100")
        }
        return value
    }

    func wholeNumber(_ key: SettingKey) throws -> Int {
        guard let raw = raw(key), let text = try text(key) else { return Int(key.defaultValue ?? "") ?? 0 }
        guard let value = Int(text), value >= 0 else {
            throw fail(raw, "\"\(text)\" is not a whole number of at least 0")
        }
        return value
    }

    func statusRange(_ key: SettingKey) throws -> ClosedRange<Int> {
        let text = try text(key) ?? key.defaultValue ?? ""
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...2).contains(parts.count), let low = parts[0], let high = parts.last ?? nil, low <= high,
            low >= 100, high <= 599
        else {
            throw fail(
                raw(key) ?? RawSetting(.text(text), from: .defaults),
                "\"\(text)\" is not a status or range like 200-399")
        }
        return low...high
    }

    func bool(_ key: SettingKey) throws -> Bool {
        guard let raw = raw(key), let text = try text(key) else { return false }
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw fail(raw, "\"\(text)\" is not true or false")
        }
    }

    func choice(_ key: SettingKey) throws -> String {
        guard let raw = raw(key), let text = try text(key) else { return key.defaultValue ?? "" }
        guard key.choices.contains(text.lowercased()) else {
            throw fail(raw, "\"\(text)\" is not one of \(key.choices.joined(separator: ", "))")
        }
        return text.lowercased()
    }

    func cidrs(_ key: SettingKey) throws -> [AddressPrefix] {
        guard let raw = raw(key) else { return [] }
        let words: [String]
        switch raw.value {
        case .text(let text): words = text.split(separator: ",").map(String.init)
        case .list(let items): words = items.flatMap { $0.split(separator: ",").map(String.init) }
        }
        return try words.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { word in
            guard let prefix = AddressPrefix(word) else {
                throw fail(raw, "\"\(word)\" is not a CIDR (like 10.0.0.0/8 or fd00::/64)")
            }
            return prefix
        }
    }

    /// kube-proxy's nodePortAddresses: CIDRs, or the one word `primary` (alone, as kube-proxy requires).
    func nodePortAddresses(_ key: SettingKey) throws -> (primary: Bool, prefixes: [AddressPrefix]) {
        guard let raw = raw(key) else { return (false, []) }
        let words: [String]
        switch raw.value {
        case .text(let text): words = text.split(separator: ",").map(String.init)
        case .list(let items): words = items.flatMap { $0.split(separator: ",").map(String.init) }
        }
        let trimmed = words.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if trimmed.contains("primary") {
            guard trimmed.count == 1 else {
                throw fail(raw, "\"primary\" must be the only value, not one among CIDRs")
            }
            return (true, [])
        }
        return (false, try cidrs(key))
    }

    /// An IP address (kube-proxy's bindAddress); nil when not given, or 0.0.0.0 or :: (which name no node IP).
    func nodeIP(_ key: SettingKey) throws -> IPAddress? {
        guard let raw = raw(key), let text = try text(key) else { return nil }
        guard let address = IPAddress(text) else {
            throw fail(raw, "\"\(text)\" is not an IP address (like 192.168.1.5 or fd00::5)")
        }
        return address.isUnspecified ? nil : address
    }

    func portRange(_ key: SettingKey) throws -> ClosedRange<UInt16> {
        // An empty value means the key's default, which always parses.
        guard let raw = raw(key), let text = try text(key) else {
            return Self.portRange(key.defaultValue ?? "") ?? 1...65535
        }
        guard let range = Self.portRange(text) else {
            throw fail(raw, "\"\(text)\" is not a port range (like 30000-32767)")
        }
        return range
    }

    /// "low-high" as a range; nil unless 0 < low <= high.
    static func portRange(_ text: String) -> ClosedRange<UInt16>? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let low = UInt16(parts[0]), let high = UInt16(parts[1]), low <= high, low > 0 else {
            return nil
        }
        return low...high
    }

    func bindAddress(_ key: SettingKey, defaultPort: Int) throws -> BindAddress? {
        guard let raw = raw(key), let text = try text(key) else { return nil }
        guard let address = BindAddress(text, defaultPort: defaultPort) else {
            throw fail(
                raw, "\"\(text)\" is not an address to listen on (like 0.0.0.0:\(defaultPort), [::]:\(defaultPort))")
        }
        return address
    }
}
