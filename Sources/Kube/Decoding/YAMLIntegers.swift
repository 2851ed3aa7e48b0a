import Yams

extension YAMLNodeDecoder {
    /// An integer as Yams constructs it (decimal, `0x`, `0o`, `0b`, sexagesimal; plain scalars only). Plain
    /// decimal digits, by far the most common case, are converted from the text without Yams' general constructor.
    static func int(_ node: YAMLNode, _ position: @autoclosure () -> YAMLPosition) throws -> Int {
        guard let scalar = node.scalar else { throw mismatch(Int.self, node, position()) }
        if scalar.style == .plain || scalar.style == .any, let value = plainDecimal(scalar.text) { return value }
        if let value = try sexagesimal(Int.self, scalar, position()) { return value }
        guard let value = Int.construct(from: scalar.yams) else { throw mismatch(Int.self, node, position()) }
        return value
    }

    /// The base-60 integer a plain scalar holds, read by ``YAMLSexagesimal`` and never by Yams; nil when the scalar
    /// is no base-60 integer (Yams reads it, or finds no number); a mismatch when it is one that `T` cannot hold.
    static func sexagesimal<T: FixedWidthInteger>(
        _ type: T.Type, _ scalar: YAMLScalar, _ position: @autoclosure () -> YAMLPosition
    ) throws -> T? {
        guard scalar.style == .plain || scalar.style == .any, let candidate = YAMLSexagesimal.candidate(scalar.text)
        else { return nil }
        guard let value = YAMLSexagesimal.value(candidate, as: type) else {
            throw mismatch(type, .scalar(scalar), position())
        }
        return value
    }

    /// `1`-`9` followed by up to 17 digits (no sign, no leading zero, which YAML 1.1 reads as octal).
    private static func plainDecimal(_ text: String) -> Int? {
        let utf8 = text.utf8
        guard let first = utf8.first, first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9"), utf8.count <= 18 else {
            return nil
        }
        var value = 0
        for byte in utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}

/// YAML 1.1's base-60 integers (`1:30` is 90), read as Yams reads them but with overflow checked. Yams multiplies
/// without a check and traps on a value past the type's range, and on any value of twelve or more components (its
/// base reaches 60¹¹ even when no component needs it), so one manifest saying `port: 1:1:1:1:1:1:1:1:1:1:1:1` took
/// the proxy down (found by FuzzManifestFile). The decoder reads every base-60 integer here, never through Yams.
enum YAMLSexagesimal {
    /// `text` without underscores when Yams would read it, as a plain scalar, as a base-60 integer: a colon, and
    /// after an optional sign no leading `0` (Yams reads those as octal, hexadecimal or binary). Nil otherwise.
    static func candidate(_ text: String) -> String? {
        guard text.utf8.contains(UInt8(ascii: ":")) else { return nil }
        let plain = String(text.filter { $0 != "_" })
        let unsigned = plain.first == "-" || plain.first == "+" ? plain.dropFirst() : Substring(plain)
        guard !unsigned.hasPrefix("0") else { return nil }
        return plain
    }

    /// The value of a base-60 integer (an optional sign, then decimal components separated by colons, the last the
    /// least significant), computed as Yams computes it (in 64 bits, then made exactly a `T`); nil when a component
    /// is not a decimal integer or the value does not fit.
    static func value<T: FixedWidthInteger>(_ text: String, as type: T.Type) -> T? {
        let negative = text.first == "-"
        let digits = negative || text.first == "+" ? text.dropFirst() : Substring(text)
        guard T.isSigned else {
            return negative ? nil : magnitude(digits, as: UInt64.self).flatMap { T(exactly: $0) }
        }
        guard let value = magnitude(digits, as: Int64.self) else { return nil }
        let (signed, overflow) = negative ? Int64.zero.subtractingReportingOverflow(value) : (value, false)
        return overflow ? nil : T(exactly: signed)
    }

    private static func magnitude<T: FixedWidthInteger>(_ digits: Substring, as type: T.Type) -> T? {
        var value: T = 0
        var base: T = 1
        for (index, component) in digits.split(separator: ":", omittingEmptySubsequences: false).reversed()
            .enumerated()
        {
            guard let digit = T(component, radix: 10) else { return nil }
            if index > 0 {
                let (next, overflow) = base.multipliedReportingOverflow(by: 60)
                if overflow { return nil }
                base = next
            }
            let (term, overflow) = digit.multipliedReportingOverflow(by: base)
            let (sum, carry) = value.addingReportingOverflow(term)
            if overflow || carry { return nil }
            value = sum
        }
        return value
    }
}
