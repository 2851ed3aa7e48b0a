import Values
import IPVS
import Logging

/// Brings the kernel to the desired state: plans against what it knows of the kernel, applies the plan as one
/// batch, and folds the results back. It adopts whatever the kernel already has at start (no flush), so a
/// restart with unchanged objects writes nothing. Failed operations leave their virtual server marked for a
/// fresh read from the kernel and a retry on the next pass: nothing is papered over.
///
/// A plain struct driven by its owner (the proxy service, or `run --once`); the kernel and the link are
/// protocols so it is tested with fakes, and proven against the real kernel in the lab.
public struct Reconciler: Sendable {
    /// The kernel's IPVS table.
    public let kernel: any IPVSKernel
    /// The dummy link holding the VIPs.
    public let link: any VIPLink
    /// Who owns what besides the link's addresses.
    public var nodeAddresses: Set<IPAddress>
    /// The NodePort range.
    public var nodePortRange: ClosedRange<UInt16>
    /// `--ipvs-exclude-cidrs`: virtual servers there are never touched.
    public var excludedPrefixes: [AddressPrefix] = []
    /// What the proxy believes the kernel holds.
    public private(set) var actual = ActualState()
    /// Real servers being drained.
    public private(set) var termination: GracefulTermination
    /// Virtual servers to re-read from the kernel before the next pass (an operation on them failed).
    public private(set) var suspect: Set<VirtualServerKey> = []
    let logger: Logger

    /// A reconciler; call `adopt()` before the first pass.
    public init(
        kernel: any IPVSKernel,
        link: any VIPLink,
        nodeAddresses: Set<IPAddress> = [],
        nodePortRange: ClosedRange<UInt16> = Ownership.defaultNodePortRange,
        gracefulPeriod: Duration = .seconds(30),
        logger: Logger
    ) {
        self.kernel = kernel
        self.link = link
        self.nodeAddresses = nodeAddresses
        self.nodePortRange = nodePortRange
        self.termination = GracefulTermination(period: gracefulPeriod)
        self.logger = logger
    }

    /// The current ownership rule.
    public var ownership: Ownership {
        Ownership(
            linkAddresses: actual.linkAddresses, nodeAddresses: nodeAddresses, nodePortRange: nodePortRange,
            excludedPrefixes: excludedPrefixes)
    }

    /// Reads the kernel's table and the link's addresses, creating the link if missing unless `readOnly` (for
    /// `plan`, which changes nothing). Nothing is written to IPVS. Also the periodic re-read that catches changes
    /// made behind the proxy's back.
    public mutating func adopt(readOnly: Bool = false) throws {
        if !readOnly { try link.ensure() }
        actual = ActualState(virtualServers: try kernel.virtualServers(), linkAddresses: Set(try link.addresses()))
        suspect = []
    }

    /// Plans without applying: what `ipvs-proxy plan` prints.
    public func plan(_ desired: DesiredState, scope: PlanScope = .all, now: ContinuousClock.Instant = .now) -> Plan {
        var scratch = termination
        return Planner.plan(
            desired: desired,
            actual: actual.virtualServers,
            ownership: ownership,
            scope: scope,
            termination: &scratch,
            now: now
        )
    }

    /// Plans and applies one pass.
    public mutating func sync(
        _ desired: DesiredState,
        scope: PlanScope = .all,
        now: ContinuousClock.Instant = .now
    ) -> SyncReport {
        // Virtual servers whose operations failed, and those with draining real servers (whose connection
        // counts decide their deletion), are read afresh and planned even when no event touched them.
        let retried = reread(suspect, reason: "an operation on it failed")
        suspect.subtract(retried)
        let draining = reread(
            Set(termination.deadlines.keys.map(\.virtualServer)).subtracting(retried), reason: "it is draining")
        var scope = scope
        if case .only(let keys, let addresses) = scope, !retried.isEmpty || !draining.isEmpty {
            scope = .only(virtualServers: keys.union(retried).union(draining), addresses: addresses)
        }
        let clock = ContinuousClock()
        var mark = clock.now
        let plan = Planner.plan(
            desired: desired,
            actual: actual.virtualServers,
            ownership: ownership,
            scope: scope,
            termination: &termination,
            now: now
        )
        var report = SyncReport(plan: plan)
        report.timing.plan = clock.now - mark
        mark = clock.now
        for (address, result) in zip(plan.bind, Self.each(plan.bind, link.add)) {
            switch result {
            case .success: actual.bound(address)
            case .failure(let error): report.addressFailures[address] = error
            }
        }
        report.timing.bind = clock.now - mark
        mark = clock.now
        let results = kernel.apply(plan.operations)
        for (operation, result) in zip(plan.operations, results) {
            switch result {
            case .success:
                actual.record(operation)
                logger.debug("applied", metadata: ["operation": "\(operation)"])
            case .failure(let error):
                report.failures[operation] = error
                suspect.insert(operation.virtualServerKey)
                logger.warning(
                    "kernel refused an operation; it will be retried",
                    metadata: ["operation": "\(operation)", "error": "\(error)"]
                )
            }
        }
        report.timing.apply = clock.now - mark
        mark = clock.now
        for (address, result) in zip(plan.unbind, Self.each(plan.unbind, link.remove)) {
            switch result {
            case .success: actual.unbound(address)
            case .failure(let error): report.addressFailures[address] = error
            }
        }
        report.timing.unbind = clock.now - mark
        return report
    }

    /// One batch over the link: a result per address, every one failed when the batch could not be tried.
    static func each(
        _ addresses: [IPAddress], _ batch: ([IPAddress]) throws -> [Result<Void, IPVSError>]
    ) -> [Result<Void, IPVSError>] {
        guard !addresses.isEmpty else { return [] }
        do {
            let results = try batch(addresses)
            precondition(results.count == addresses.count, "a link batch must answer every address")
            return results
        } catch {
            return addresses.map { .failure(IPVSError.linkFailure(error, address: $0)) }
        }
    }

    /// Reads these virtual servers from the kernel into the actual state; returns those it could read (the rest
    /// are logged and keep what was known).
    private mutating func reread(_ keys: Set<VirtualServerKey>, reason: String) -> Set<VirtualServerKey> {
        var read: Set<VirtualServerKey> = []
        for key in keys {
            do {
                actual.refresh(key, with: try kernel.virtualServer(key))
                read.insert(key)
            } catch {
                logger.warning(
                    "could not re-read a virtual server",
                    metadata: ["key": "\(key)", "reason": "\(reason)", "error": "\(error)"]
                )
            }
        }
        return read
    }
}
