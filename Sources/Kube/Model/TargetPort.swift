/// A validated Service target port.
public enum TargetPort: Sendable, Hashable, CustomStringConvertible {
    /// A port number, 1...65535.
    case number(UInt16)
    /// A named container port, resolved through the EndpointSlice port of the same Service port name.
    case name(String)

    /// The value as written.
    public var description: String {
        switch self {
        case .number(let number): String(number)
        case .name(let name): name
        }
    }
}
