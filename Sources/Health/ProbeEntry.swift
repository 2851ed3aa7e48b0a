import NIOCore

/// One probed target's state. Confined to the prober's event loop (hence `@unchecked Sendable`: it is only
/// ever touched there).
final class ProbeEntry: @unchecked Sendable {
    let target: HealthTarget
    let address: SocketAddress
    var state = RiseFallState()
    /// When the next probe is due.
    var next: NIODeadline
    var scheduled: Scheduled<Void>?
    var inFlight = false
    var removed = false
    var lastFailure: String?

    init(target: HealthTarget, address: SocketAddress, next: NIODeadline) {
        self.target = target
        self.address = address
        self.next = next
    }
}
