import Values
import IPVS

/// What one reconcile pass did.
public struct SyncReport: Sendable, Hashable {
    /// The plan it carried out.
    public var plan: Plan
    /// Operations that failed, with the kernel's error; they are retried by a later pass.
    public var failures: [IPVSOperation: IPVSError]
    /// Addresses that could not be bound or unbound, with the error.
    public var addressFailures: [IPAddress: IPVSError]
    /// How long each phase took.
    public var timing = SyncTiming()

    /// A report.
    public init(plan: Plan = Plan(), failures: [IPVSOperation: IPVSError] = [:], addressFailures: [IPAddress: IPVSError] = [:]) {
        self.plan = plan
        self.failures = failures
        self.addressFailures = addressFailures
    }

    /// True when everything in the plan took effect.
    public var succeeded: Bool { failures.isEmpty && addressFailures.isEmpty }
}
