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
    /// Virtual servers whose failures are news: refused for the first time since they were last programmed or
    /// since their desired state changed, or refused otherwise than at the last attempt. Only these are reported;
    /// a retry refused as before is not.
    public var announced: Set<VirtualServerKey> = []
    /// Virtual servers left out of the pass while they wait for their next retry.
    public var held: Set<VirtualServerKey> = []
    /// How long each phase took.
    public var timing = SyncTiming()

    /// A report.
    public init(
        plan: Plan = Plan(), failures: [IPVSOperation: IPVSError] = [:], addressFailures: [IPAddress: IPVSError] = [:]
    ) {
        self.plan = plan
        self.failures = failures
        self.addressFailures = addressFailures
    }

    /// True when everything in the plan took effect.
    public var succeeded: Bool { failures.isEmpty && addressFailures.isEmpty }

    /// True when the pass reached the kernel: every operation was answered by it, accepted or refused. This is
    /// kube-proxy's "updated" for /healthz: its IPVS proxier marks a sync that ran as updated and only logs the
    /// kernel's refusals. A pass whose batch could not be exchanged (a transport failure, or no answer within the
    /// receive timeout) is not.
    public var completed: Bool { !failures.values.contains { $0.isExchangeFailure } }
}

extension IPVSError {
    /// True when the kernel never answered the request (the exchange failed or timed out), as opposed to
    /// refusing it: not the object's fault, and retried without backoff.
    public var isExchangeFailure: Bool { code == .transport || code == .timeout }
}
