/// What a probe saw: an answer, a refusal (RST or ICMP port unreachable), silence until the timeout, or some
/// other failure. Tests tell a stopped pod (``refused``) from a paused one (``timedOut``) with it.
public enum ProbeOutcome<Value: Sendable>: Sendable {
    /// The peer answered.
    case answered(Value)
    /// The connection (or datagram) was refused: nothing listens there.
    case refused
    /// No answer within the probe's timeout.
    case timedOut
    /// Any other failure, described.
    case failed(String)

    /// The answer, if there was one.
    public var value: Value? {
        if case .answered(let value) = self { return value }
        return nil
    }
}

extension ProbeOutcome: Equatable where Value: Equatable {}
extension ProbeOutcome: Hashable where Value: Hashable {}
