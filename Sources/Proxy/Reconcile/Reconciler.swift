import Values
import IPVS
import Logging

/// Brings the kernel to the desired state: plans against what it knows of the kernel, applies the plan as one
/// batch, and folds the results back. It adopts whatever the kernel already has at start (no flush), so a
/// restart with unchanged objects writes nothing. Failed operations leave their virtual server in the
/// ``RetrySchedule``: read afresh from the kernel and tried again after a backoff of its own, at once when its
/// desired state changes. Nothing is papered over, and one virtual server the kernel refuses holds up no other.
///
/// A plain struct driven by its owner (the proxy service, or `run --once`); the kernel and the link are
/// protocols so it is tested with fakes, and proven against the real kernel in the lab.
public struct Reconciler: Sendable {
    /// The kernel's IPVS table.
    public let kernel: any IPVSKernel
    /// The dummy link holding the VIPs.
    public let link: any VIPLink
    /// What the proxy created and what it found held by others (see ``Ownership``); kept up to date from what the
    /// kernel accepted and from each full re-read, and saved to `store`.
    public internal(set) var record: OwnershipRecord
    /// Where the record is saved (`--ownership-file`); nil: nowhere (it then lasts only as long as the process).
    public let store: (any OwnershipStore)?
    /// The record as `store` last saved it (or as it was read at start).
    private var stored: OwnershipRecord?
    /// False when no record was found at start (the first start, or the first after an upgrade).
    public let hadRecord: Bool
    /// `--adopt`: take over a virtual server another program holds when a Service wants the same one.
    public var adoptForeign = false
    /// `--ipvs-exclude-cidrs`: virtual servers there are never touched.
    public var excludedPrefixes: [AddressPrefix] = []
    /// What the proxy believes the kernel holds.
    public internal(set) var actual = ActualState()
    /// Real servers being drained.
    public private(set) var termination: GracefulTermination
    /// Virtual servers whose operations failed, waiting for their next attempt (each re-read from the kernel
    /// first).
    public private(set) var retries: RetrySchedule
    /// Virtual servers a Service wants that another program holds, left as they are (reported on the Service).
    public private(set) var heldByOthers: Set<VirtualServerKey> = []
    /// The virtual and real servers the proxy owns in the kernel, kept up to date one virtual server at a time.
    public internal(set) var owned = OwnedTally()
    let logger: Logger

    /// A reconciler starting from the ownership `record` read at start (nil: none was found); call `adopt()`
    /// before the first pass.
    public init(
        kernel: any IPVSKernel,
        link: any VIPLink,
        record: OwnershipRecord? = nil,
        store: (any OwnershipStore)? = nil,
        gracefulPeriod: Duration = .seconds(30),
        retryBackoff: RetrySchedule.Backoff = RetrySchedule.Backoff(),
        logger: Logger
    ) {
        self.retries = RetrySchedule(backoff: retryBackoff)
        self.kernel = kernel
        self.link = link
        self.record = record ?? OwnershipRecord()
        self.hadRecord = record != nil
        self.store = store
        self.stored = record
        self.termination = GracefulTermination(period: gracefulPeriod)
        self.logger = logger
    }

    /// The current ownership rule.
    public var ownership: Ownership {
        Ownership(
            linkAddresses: actual.linkAddresses, record: record, adopt: adoptForeign, excludedPrefixes: excludedPrefixes
        )
    }

    /// Reads the kernel's table and the link's addresses, creating the link if missing unless `readOnly` (for
    /// `plan`, which changes nothing), and adopts them (``adopt(_:readOnly:)``). Nothing is written to IPVS. The
    /// periodic re-read is ``resync(_:link:desired:chunk:until:now:)``, a slice at a time.
    public mutating func adopt(readOnly: Bool = false) throws {
        adopt(try readTable(creatingLink: !readOnly), readOnly: readOnly)
    }

    /// What adoption reads: the kernel's IPVS table and the link's addresses, the two dumps at once (different
    /// sockets), the link created first when it is missing and `creatingLink`. Touches nothing but the kernel and
    /// the link, so it may run on a thread of its own while the reconciler's owner goes on with other work.
    public func readTable(creatingLink: Bool) throws -> KernelTable {
        let created = creatingLink ? try link.ensure() : false
        let link = self.link
        let (addresses, servers) = DedicatedThread.alongside(
            name: "vip-read", { Result { try link.addresses() } }, { Result { try kernel.virtualServers() } })
        let actual = ActualState(virtualServers: try servers.get(), linkAddresses: Set(try addresses.get()))
        return KernelTable(actual: actual, createdLink: created)
    }

    /// Takes `table` (``readTable(creatingLink:)``) as what the kernel holds. Every virtual server read is
    /// classified (``classify(_:present:)``): the proxy's (in the record, or on its link's addresses) or another
    /// program's; the record forgets virtual servers that are gone, and is saved unless `readOnly`.
    public mutating func adopt(_ table: KernelTable, readOnly: Bool = false) {
        if table.createdLink { record.createdLink = true }
        actual = table.actual
        let present = Set(actual.virtualServers.keys)
        record.virtualServers.formIntersection(present)
        record.foreign.formIntersection(present)
        for key in present { classify(key, present: true) }
        owned = OwnedTally(actual: actual, ownership: ownership)
        if !readOnly { save(record) }
    }

    /// The kernel's state as adoption read it.
    public struct KernelTable: Sendable {
        /// The virtual servers and the link's addresses.
        public var actual: ActualState
        /// The link was missing and adoption created it.
        public var createdLink: Bool
    }

    /// Files a virtual server just read (at adoption or by a resync slice) under the record's lists: forgotten when
    /// gone; else the proxy's or another program's by the ownership rule (excluded ones and firewall marks aside).
    /// A set is written only when it changes (the loop's last report shares them).
    mutating func classify(_ key: VirtualServerKey, present: Bool) {
        guard present else {
            if record.virtualServers.contains(key) { record.virtualServers.remove(key) }
            if record.foreign.contains(key) { record.foreign.remove(key) }
            return
        }
        let rule = ownership
        guard case .service = key, !rule.excludes(key) else { return }
        if rule.owns(key) { markCreated(key) } else if !record.foreign.contains(key) { record.foreign.insert(key) }
    }

    /// Forgets that the proxy created its link (after `--cleanup` deleted it).
    public mutating func forgetLink() { record.createdLink = false }

    /// True when a pass at `now` has a retry to make: a virtual server due, or wanted otherwise than when it failed.
    public func hasRetryDue(_ desired: DesiredState, now: ContinuousClock.Instant) -> Bool {
        !retries.isEmpty && !retries.due(desired, now: now).isEmpty
    }

    /// True when a pass at `now` has draining real servers to look at (``GracefulTermination/due(now:)``).
    public func hasDrainingDue(now: ContinuousClock.Instant) -> Bool {
        termination.hasDue(now: now)
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

    /// Plans and applies one pass. Virtual servers waiting for a retry are left out until due (even from a full
    /// pass); those due are read afresh and tried, whatever the scope. With `additionsOnly`, only the plan's
    /// additions are applied (``Plan/additions()``): a pass ahead of the first full one, over a partial state.
    public mutating func sync(
        _ desired: DesiredState,
        scope: PlanScope = .all,
        additionsOnly: Bool = false,
        now: ContinuousClock.Instant = .now
    ) -> SyncReport {
        let held = retries.held(desired, now: now)
        // Virtual servers whose operations failed, and those with draining real servers due for a look (whose
        // connection counts decide their deletion), are read afresh and planned even when no event touched them.
        let due = retries.due(desired, now: now)
        let retried = reread(due, reason: "an operation on it failed")
        for key in due.subtracting(retried) { retries.postpone(key, now: now) }
        let draining = reread(
            termination.due(now: now).subtracting(due).subtracting(held), reason: "it is draining")
        termination.checked(draining, now: now)
        let scope = Self.narrow(
            scope, adding: retried.union(draining), holding: held, desired: desired, actual: actual)
        let clock = ContinuousClock()
        var mark = clock.now
        let plan: Plan
        if additionsOnly {
            // Nothing departs in such a pass: the draining real servers' clocks are not started.
            var untouched = termination
            plan = Planner.plan(
                desired: desired, actual: actual.virtualServers, ownership: ownership, scope: scope,
                termination: &untouched, now: now
            ).additions()
        } else {
            plan = Planner.plan(
                desired: desired, actual: actual.virtualServers, ownership: ownership, scope: scope,
                termination: &termination, now: now)
        }
        var report = SyncReport(plan: plan)
        report.held = held
        report.timing.plan = clock.now - mark
        saveClaims(plan)
        let (bound, operations) = bindAlongside(plan)
        let results = operations.results
        // The operations' time, then the bookkeeping after them (the binding's overlaps it, or came first).
        mark = clock.now - operations.seconds
        for (address, result) in zip(plan.bind, bound.results) {
            switch result {
            case .success: actual.bound(address)
            case .failure(let error): report.addressFailures[address] = error
            }
        }
        report.timing.bind = bound.seconds
        var failed: [VirtualServerKey: [(IPVSOperation, IPVSError)]] = [:]
        var applied: [IPVSOperation] = []
        applied.reserveCapacity(plan.operations.count)
        for (operation, result) in zip(plan.operations, results) {
            switch result {
            case .success:
                applied.append(operation)
                logger.debug("applied", metadata: ["operation": "\(operation)"])
            case .failure(let error):
                report.failures[operation] = error
                failed[operation.virtualServerKey, default: []].append((operation, error))
                logger.debug(
                    "kernel refused an operation", metadata: ["operation": "\(operation)", "error": "\(error)"])
            }
        }
        actual.record(applied)
        switch scope {
        case .all: actual.share(desired, in: desired.virtualServers.keys)
        case .only(let keys, _): actual.share(desired, in: keys)
        }
        // Only what changes is written: the loop keeps the last record it reported, so a write to a set it
        // shares (even of a member already there) would copy the whole set.
        for operation in applied {
            let key = operation.virtualServerKey
            if case .deleteVirtualServer = operation {
                if record.virtualServers.contains(key) { record.virtualServers.remove(key) }
            } else if case .service = key {
                markCreated(key)
            }
        }
        for key in plan.adopted where actual.virtualServers[key] != nil && failed[key] == nil {
            markCreated(key)
        }
        let rule = ownership
        heldByOthers = heldByOthers.filter {
            rule.isHeldByAnother(
                $0, wanted: desired.virtualServers[$0] != nil, exists: actual.virtualServers[$0] != nil)
        }
        heldByOthers.formUnion(plan.foreign)
        for (key, errors) in failed {
            let wanted = desired.virtualServers[key]
            if retries.failed(key, errors: errors, desired: wanted, now: now) { report.announced.insert(key) }
        }
        for key in retried.union(plan.operations.map(\.virtualServerKey)) where failed[key] == nil {
            retries.succeeded(key)
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
        save(record)
        if case .all = scope {
            owned = OwnedTally(actual: actual, ownership: ownership)
        } else {
            let changedAddresses = Set(plan.bind + plan.unbind).subtracting(report.addressFailures.keys)
            owned.update(
                retried.union(draining).union(plan.operations.map(\.virtualServerKey)).union(plan.adopted),
                addresses: changedAddresses, actual: actual, ownership: ownership)
        }
        return report
    }

    /// Binds the plan's addresses and applies its IPVS operations, the two at once when there are both (the
    /// addresses on a thread of their own): they go to different sockets and the kernel serves them in parallel,
    /// which at 10,000 Services takes the binding's seconds off a cold sync. A virtual server may exist a moment
    /// before its address is on the link, as kube-proxy creates it first and binds after; both are done when the
    /// pass goes on. Returns the results of each, with its wall time.
    private func bindAlongside(_ plan: Plan) -> (bound: Timed, applied: Timed) {
        let addresses = plan.bind
        let link = self.link
        let kernel = self.kernel
        let bind: @Sendable () -> Timed = { Timed { Self.each(addresses, link.add) } }
        let apply = { Timed { kernel.apply(plan.operations) } }
        guard !addresses.isEmpty, !plan.operations.isEmpty else { return (bind(), apply()) }
        let (bound, applied) = DedicatedThread.alongside(name: "vip-bind", bind, apply)
        return (bound, applied)
    }

    /// A batch's results and how long it took (wall clock).
    private struct Timed: Sendable {
        let results: [Result<Void, IPVSError>]
        let seconds: Duration

        init(_ batch: () -> [Result<Void, IPVSError>]) {
            let clock = ContinuousClock()
            let start = clock.now
            results = batch()
            seconds = clock.now - start
        }
    }

    /// Before the kernel is asked to create or take over virtual servers the record does not list, saves the record
    /// with them listed: killed between the kernel's answer and the save after the pass, the proxy would otherwise
    /// restart to find them unlisted, and those whose address is not on its link (NodePorts on the node's addresses)
    /// would be taken for another program's for good. One the kernel then refuses is dropped by the save after the
    /// pass; a listed one that does not exist is forgotten at the next re-read.
    private mutating func saveClaims(_ plan: Plan) {
        guard store != nil else { return }
        var ahead = record
        var claimed = false
        func claim(_ key: VirtualServerKey) {
            guard case .service = key, !ahead.virtualServers.contains(key) else { return }
            ahead.virtualServers.insert(key)
            ahead.foreign.remove(key)
            claimed = true
        }
        for operation in plan.operations {
            if case .addVirtualServer(let server) = operation { claim(server.key) }
        }
        for key in plan.adopted { claim(key) }
        if claimed { save(ahead) }
    }

    /// Saves `record` to the store when it differs from what the store holds; a failure is logged, and the next pass
    /// tries again.
    private mutating func save(_ record: OwnershipRecord) {
        guard let store else { return }
        guard record != stored else {
            // Equal but perhaps not the same storage (a re-read rebuilds the sets): shared from now on, so that the
            // next pass's comparison is one identity check, not a lookup of every key (at 10,000 Services that was
            // two thirds of a change's pass in the lab).
            stored = record
            return
        }
        do {
            try store.save(record)
            stored = record
        } catch {
            logger.warning("could not save the ownership record", metadata: ["error": "\(error)"])
        }
    }

    /// Records that the proxy holds virtual server `key` (it created or adopted it).
    private mutating func markCreated(_ key: VirtualServerKey) {
        if !record.virtualServers.contains(key) { record.virtualServers.insert(key) }
        if record.foreign.contains(key) { record.foreign.remove(key) }
    }

    /// The scope of a pass: the one asked for, with `adding` (retries and draining virtual servers) and without
    /// `holding` (virtual servers waiting for a retry). A full pass keeps every address and every other key.
    static func narrow(
        _ scope: PlanScope, adding: Set<VirtualServerKey>, holding: Set<VirtualServerKey>, desired: DesiredState,
        actual: ActualState
    ) -> PlanScope {
        switch scope {
        case .all:
            guard !holding.isEmpty else { return .all }
            let keys = Set(desired.virtualServers.keys).union(actual.virtualServers.keys)
            return .only(
                virtualServers: keys.subtracting(holding),
                addresses: desired.boundAddresses.union(actual.linkAddresses))
        case .only(let keys, let addresses):
            return .only(virtualServers: keys.union(adding).subtracting(holding), addresses: addresses)
        }
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
