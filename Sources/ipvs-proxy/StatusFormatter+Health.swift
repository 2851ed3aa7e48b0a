import Foundation
import Proxy

extension StatusFormatter {
    /// The health section of `status`: what the running proxy's state file says, with its age.
    static func health(_ report: HealthStateReport, path: String, now: Double) -> String {
        let age = max(0, Int(now - report.written))
        var out = "\nHealth checks (\(path), written \(age)s ago): \(report.probed) endpoints probed, "
        out += "\(report.unhealthy.count) unhealthy\n"
        for service in report.services where service.unhealthy > 0 || service.failedOpen > 0 {
            out += "  service \(service.service): \(service.healthy) healthy, \(service.unhealthy) unhealthy"
            out += service.failedOpen > 0 ? ", all down in \(service.failedOpen) virtual servers (kept)\n" : "\n"
        }
        for endpoint in report.unhealthy {
            let name = endpoint.address.contains(":") ? "[\(endpoint.address)]:\(endpoint.port)" : "\(endpoint.address):\(endpoint.port)"
            out += "  -> " + pad(name, 28) + " " + pad(endpoint.probe, 5) + " DOWN"
            if let since = endpoint.since { out += " for \(max(0, Int(now - since)))s" }
            if let reason = endpoint.reason { out += " (\(reason))" }
            out += "  " + endpoint.services.joined(separator: ",") + "\n"
        }
        return out
    }
}
