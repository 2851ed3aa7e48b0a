/// Why a probe gave up, besides the errors its channel reported.
enum ProbeFailure: Error {
    /// The probe's own timeout fired.
    case timedOut
    /// The peer closed the connection before the exchange was complete.
    case connectionClosed
}
