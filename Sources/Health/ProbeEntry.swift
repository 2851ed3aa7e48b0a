import NIOCore

/// One probed target's state. Confined to the prober's event loop: not Sendable, reached from elsewhere only
/// through the prober's `NIOLoopBoundBox`.
final class ProbeEntry {
    let target: HealthTarget
    let address: SocketAddress
    var state = RiseFallState()
    /// When the next probe is due.
    var next: NIODeadline
    var inFlight = false
    var removed = false
    var lastFailure: String?

    init(target: HealthTarget, address: SocketAddress, next: NIODeadline) {
        self.target = target
        self.address = address
        self.next = next
    }
}
