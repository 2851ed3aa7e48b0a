import IPVS
import Kube
import Values

extension ReconcileLoop {
    /// Reports each Service's problems, those of its objects and the kernel's refusals of its virtual servers,
    /// when they change; each problem is reported new only once (``DiagnosticsLedger``: for the Services whose
    /// problems changed, not for every Service with one).
    mutating func reportDiagnostics(_ reports: inout [ReconcileReport]) {
        var kernel: [ObjectKey: [ServiceDiagnostic]] = [:]
        for key in reconciler.retries.entries.keys.sorted() {
            guard let owner = tracker.owner(of: key), let diagnostic = refusalDiagnostic(key) else { continue }
            kernel[owner, default: []].append(diagnostic)
        }
        for key in reconciler.heldByOthers.sorted() {
            guard let owner = tracker.owner(of: key) else { continue }
            kernel[owner, default: []].append(Self.heldDiagnostic(key, service: owner))
        }
        let changed = tracker.takeDiagnosticsChanges()
        if let report = diagnostics.update(changed: changed, objects: tracker.diagnostics, kernel: kernel) {
            reports.append(report)
        }
    }

    /// The diagnostic of a virtual server a Service wants that another program holds.
    static func heldDiagnostic(_ key: VirtualServerKey, service: ObjectKey) -> ServiceDiagnostic {
        ServiceDiagnostic(
            code: .heldByAnotherProgram, service: service.description, field: "virtual server \(key)",
            message: "held by another program (this proxy did not create it): left as it is, not taken over; "
                + "--adopt takes over such virtual servers")
    }

    /// The diagnostic of a virtual server the kernel refused, on the Service that wants it; nil when no Service
    /// wants it, or when only the exchange with the kernel failed (not the Service's doing).
    func refusalDiagnostic(_ key: VirtualServerKey) -> ServiceDiagnostic? {
        guard let entry = reconciler.retries.entries[key], entry.refusals > 0, let owner = tracker.owner(of: key),
            let error = entry.errors.min(by: { $0.key.description < $1.key.description })?.value
        else { return nil }
        let others = entry.errors.count > 1 ? " (and \(entry.errors.count - 1) more of its operations)" : ""
        return ServiceDiagnostic(
            code: .kernelRefused, service: owner.description, field: "virtual server \(key)",
            message: "\(error)\(others); retried with backoff (up to every "
                + "\(GoDuration.format(reconciler.retries.backoff.cap))), every other virtual server is programmed")
    }
}
