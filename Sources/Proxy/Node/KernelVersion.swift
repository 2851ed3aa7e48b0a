/// A Linux kernel's version as /proc/sys/kernel/osrelease gives it ("6.1.0-28-amd64"), read as kube-proxy reads
/// it (`version.ParseGeneric`): an optional leading "v", at least two dot-separated numbers, the rest ignored.
public struct KernelVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The numbers, at least two ("6.1.0" → [6, 1, 0]).
    public var components: [Int]

    /// A version from its numbers.
    public init(_ components: Int...) {
        self.components = components
    }

    /// The version `osrelease` begins with; nil when it does not begin with at least two numbers.
    public init?(osrelease: String) {
        var text = Substring(osrelease.drop { $0 == " " || $0 == "\t" || $0 == "\n" })
        if text.first == "v" { text = text.dropFirst() }
        var numbers: [Int] = []
        while let first = text.first, first.isASCII, first.isNumber {
            let digits = text.prefix { $0.isASCII && $0.isNumber }
            guard let number = Int(digits) else { return nil }
            numbers.append(number)
            text = text.dropFirst(digits.count)
            // A dot continues the version only when a number follows it ("5.10.0-" stops at the dash).
            guard text.first == ".", let next = text.dropFirst().first, next.isASCII, next.isNumber else { break }
            text = text.dropFirst()
        }
        guard numbers.count >= 2 else { return nil }
        components = numbers
    }

    public static func < (lhs: KernelVersion, rhs: KernelVersion) -> Bool {
        for index in 0..<max(lhs.components.count, rhs.components.count) {
            let left = index < lhs.components.count ? lhs.components[index] : 0
            let right = index < rhs.components.count ? rhs.components[index] : 0
            if left != right { return left < right }
        }
        return false
    }

    public static func == (lhs: KernelVersion, rhs: KernelVersion) -> Bool { !(lhs < rhs) && !(rhs < lhs) }

    public func hash(into hasher: inout Hasher) {
        var trimmed = components
        while trimmed.count > 2, trimmed.last == 0 { trimmed.removeLast() }
        hasher.combine(trimmed)
    }

    public var description: String { components.map(String.init).joined(separator: ".") }
}
