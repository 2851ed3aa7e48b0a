import Kube
import Proxy

extension StatusFormatter {
    /// Every Service's problems, by Service, then field, then message.
    static func sorted(_ byService: [ObjectKey: [ServiceDiagnostic]]) -> [ServiceDiagnostic] {
        byService.sorted { $0.key < $1.key }.flatMap { _, diagnostics in
            diagnostics.sorted { ($0.field, $0.message) < ($1.field, $1.message) }
        }
    }

    /// The Services' problems section of `status`: what the proxy logs and records as Events on the Services
    /// (`kubectl events --for service/NAME`), with the Event's type and reason.
    static func diagnostics(_ diagnostics: [ServiceDiagnostic]) -> String {
        var out = "\nService problems (\(diagnostics.count); also Events on the Services):\n"
        for diagnostic in diagnostics {
            let type = diagnostic.code.eventType.rawValue
            out += "  " + pad(type, 7) + " " + pad(diagnostic.code.eventReason, 22) + " \(diagnostic)\n"
        }
        return out
    }
}
