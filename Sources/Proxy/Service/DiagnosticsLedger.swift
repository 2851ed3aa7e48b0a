import Kube

/// What the proxy last reported of each Service's problems, and how many Services have each kind: the loop hands it
/// the Services whose problems may have changed, and it says what is new. Pure.
///
/// A Service's problems are its objects' (the tracker's, ``DesiredStateTracker/diagnostics``) followed by the
/// kernel's (its virtual servers the kernel refuses, or another program holds). An update costs in proportion to
/// the Services it is given and to the kernel's problems, never to every Service with a problem: a cluster where
/// thousands of Services carry a bad annotation pays for the one that changed.
public struct DiagnosticsLedger: Sendable {
    /// Each Service's problems as last reported.
    public private(set) var reported: [ObjectKey: [ServiceDiagnostic]] = [:]
    /// How many Services have each kind of problem in `reported` (a kind absent or 0: none).
    public private(set) var counts: [ServiceDiagnostic.Code: Int] = [:]
    /// The kernel's part of `reported`, by Service.
    private var kernel: [ObjectKey: [ServiceDiagnostic]] = [:]

    /// An empty ledger: nothing reported.
    public init() {}

    /// Takes the problems of the Services in `changed` from `objects`, and every Service's kernel problems from
    /// `kernel`; returns the report to make (``ReconcileReport/diagnostics(changed:counts:)``: each problem not
    /// reported before, once, and the counts), or nil when nothing changed.
    public mutating func update(
        changed: Set<ObjectKey>, objects: [ObjectKey: [ServiceDiagnostic]], kernel: [ObjectKey: [ServiceDiagnostic]]
    ) -> ReconcileReport? {
        var services = changed
        if kernel != self.kernel {
            services.formUnion(kernel.keys)
            services.formUnion(self.kernel.keys)
            self.kernel = kernel
        }
        var new: [ObjectKey: [ServiceDiagnostic]] = [:]
        var any = false
        for service in services {
            // Without kernel problems, the tracker's own array: kept as it is, not copied.
            let now = kernel[service].map { (objects[service] ?? []) + $0 } ?? objects[service] ?? []
            let before = reported[service] ?? []
            guard now != before else { continue }
            any = true
            let known = Set(before)
            let added = now.filter { !known.contains($0) }
            if !added.isEmpty { new[service] = added }
            let (codesBefore, codesNow) = (Set(before.map(\.code)), Set(now.map(\.code)))
            for code in codesBefore.subtracting(codesNow) { counts[code, default: 0] -= 1 }
            for code in codesNow.subtracting(codesBefore) { counts[code, default: 0] += 1 }
            reported[service] = now.isEmpty ? nil : now
        }
        return any ? .diagnostics(changed: new, counts: counts) : nil
    }
}
