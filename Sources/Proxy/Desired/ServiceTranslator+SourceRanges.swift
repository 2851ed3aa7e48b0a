import Values
import Kube

extension ValidatedService {
    /// True when kube-proxy serves a health-check node port for it (`NeedsHealthCheck`): type LoadBalancer with
    /// `externalTrafficPolicy: Local`.
    var needsHealthCheckNodePort: Bool { self.type == .loadBalancer && self.externalTrafficPolicy == .local }
}

extension ServiceTranslator {
    /// The clients the Service's load-balancer IPs admit, per family, as kube-proxy reads
    /// `spec.loadBalancerSourceRanges` (`newBaseServiceInfo`): white space trimmed, empty entries skipped, each
    /// family on its own ranges. A family with no range, or with a range of length 0 ("allow any"), is not
    /// restricted (no entry). The node is admitted when a range holds one of `nodeAddresses`.
    ///
    /// An entry that is not a CIDR is reported and left out, as kube-proxy leaves it out; when no entry is valid
    /// at all, every family admits no client (kube-proxy would then admit everyone: a typo must not turn the
    /// restriction the Service asked for into none).
    static func sourceRanges(
        of service: ValidatedService, nodeAddresses: Set<IPAddress>
    ) -> (ranges: [AddressFamily: SourceRanges], diagnostics: [ServiceDiagnostic]) {
        var valid: [AddressPrefix] = []
        var diagnostics: [ServiceDiagnostic] = []
        var written = 0
        for (index, text) in service.loadBalancerSourceRanges.enumerated() where !text.isEmpty {
            written += 1
            guard let prefix = AddressPrefix(text) else {
                diagnostics.append(
                    ServiceDiagnostic(
                        code: .badSourceRange, service: service.key.description,
                        field: "spec.loadBalancerSourceRanges[\(index)]",
                        message: "\"\(text)\" is not a CIDR (address/length); left out, the other ranges apply"))
                continue
            }
            valid.append(prefix)
        }
        guard written > 0 else { return ([:], []) }
        guard !valid.isEmpty else {
            let closed = SourceRanges([], admitsNode: false)
            diagnostics.append(
                ServiceDiagnostic(
                    code: .badSourceRange, service: service.key.description, field: "spec.loadBalancerSourceRanges",
                    message: "no entry is a valid CIDR; the load-balancer IPs admit no client until one is"))
            return ([.ipv4: closed, .ipv6: closed], diagnostics)
        }
        var ranges: [AddressFamily: SourceRanges] = [:]
        for family in [AddressFamily.ipv4, .ipv6] {
            let mine = valid.filter { $0.family == family }
            guard !mine.isEmpty, !mine.contains(where: { $0.length == 0 }) else { continue }
            let admitsNode = nodeAddresses.contains { address in mine.contains { $0.contains(address) } }
            ranges[family] = SourceRanges(mine, admitsNode: admitsNode)
        }
        return (ranges, diagnostics)
    }
}
