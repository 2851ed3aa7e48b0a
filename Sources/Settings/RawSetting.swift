/// A value as given, before it is checked: text, or a list (a YAML sequence), with where it came from.
public struct RawSetting: Sendable, Hashable {
    /// The value's shape.
    public enum Value: Sendable, Hashable {
        /// One scalar, as written.
        case text(String)
        /// A YAML sequence of scalars.
        case list([String])
    }

    /// The value.
    public var value: Value
    /// Where it came from.
    public var origin: SettingOrigin

    /// A raw value.
    public init(_ value: Value, from origin: SettingOrigin) {
        self.value = value
        self.origin = origin
    }

    /// A scalar.
    public static func text(_ text: String, from origin: SettingOrigin) -> RawSetting {
        RawSetting(.text(text), from: origin)
    }
}
