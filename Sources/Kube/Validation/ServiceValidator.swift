import Values

/// Turns a wire ``Service`` into a ``ValidatedService`` or a ``ValidationError`` naming the field at fault.
///
/// Rules: a name is required; `type` is one of the four Service types; `clusterIP`/`clusterIPs` are IPs or
/// `None` (headless), and may be empty or absent (ExternalName, or a manifest that gives no VIP);
/// externalIPs and load-balancer ingress IPs must be IPs; every port is 1-65535 with protocol TCP/UDP/SCTP;
/// a Service with several ports must name each; a numeric targetPort is 1-65535 (absent means the port
/// itself); session-affinity timeouts are 1-86400 s; traffic policies are Cluster or Local; a load-balancer
/// ingress point's `ipMode` is VIP (default) or Proxy.
public enum ServiceValidator {
    /// Validates a Service. The first problem found is thrown.
    public static func validate(_ service: Service) throws(ValidationError) -> ValidatedService {
        let check = FieldChecker(object: ObjectNaming.describe(.service, service.metadata))
        guard let key = ObjectNaming.key(service.metadata) else {
            throw check.fail(.missingField, "metadata.name", "is required")
        }
        try check.names(key, subdomainName: false)
        let spec = service.spec ?? Service.Spec()
        let type: ServiceType = try check.choice(spec.type, "spec.type", default: .clusterIP)
        let labels = service.metadata.labels ?? [:]
        var headless = labels[Service.headlessLabel] != nil
        var clusterIPs: [IPAddress] = []
        var ipTexts = spec.clusterIPs ?? []
        var ipField = "spec.clusterIPs"
        if ipTexts.isEmpty, let single = spec.clusterIP {
            ipTexts = [single]
            ipField = "spec.clusterIP"
        }
        for (index, text) in ipTexts.enumerated() {
            let field = ipField == "spec.clusterIP" ? ipField : "\(ipField)[\(index)]"
            if text == "None" {
                headless = true
            } else if !text.isEmpty {
                clusterIPs.append(try check.ip(text, field))
            }
        }
        if let primary = spec.clusterIP, !primary.isEmpty, primary != "None", spec.clusterIPs != nil {
            let parsed = try check.ip(primary, "spec.clusterIP")
            if clusterIPs.first != parsed {
                throw check.fail(.unsupportedValue, "spec.clusterIP", "\(primary) differs from spec.clusterIPs[0]")
            }
        }
        if headless { clusterIPs = [] }
        for (index, family) in (spec.ipFamilies ?? []).enumerated() where family != "IPv4" && family != "IPv6" {
            throw check.fail(.unsupportedValue, "spec.ipFamilies[\(index)]", "unknown IP family \"\(family)\"")
        }
        let ports = try validatePorts(spec.ports ?? [], check)
        let affinity = try validateAffinity(spec, check)
        var externalIPs: [IPAddress] = []
        for (index, text) in (spec.externalIPs ?? []).enumerated() {
            externalIPs.append(try check.ip(text, "spec.externalIPs[\(index)]"))
        }
        var ingressIPs: [IPAddress] = []
        for (index, ingress) in (service.status?.loadBalancer?.ingress ?? []).enumerated() {
            guard let text = ingress.ip, !text.isEmpty else { continue }
            let address = try check.ip(text, "status.loadBalancer.ingress[\(index)].ip")
            switch ingress.ipMode {
            case nil, "", "VIP": ingressIPs.append(address)
            case "Proxy": continue
            case .some(let other):
                throw check.fail(
                    .unsupportedValue, "status.loadBalancer.ingress[\(index)].ipMode",
                    "unsupported value \"\(other)\" (expected VIP or Proxy)")
            }
        }
        return ValidatedService(
            key: key,
            resourceVersion: service.metadata.resourceVersion,
            type: type,
            clusterIPs: type == .externalName ? [] : clusterIPs,
            isHeadless: headless,
            ports: ports,
            sessionAffinity: affinity,
            externalIPs: externalIPs,
            loadBalancerIngressIPs: ingressIPs,
            internalTrafficPolicy: try check.choice(
                spec.internalTrafficPolicy, "spec.internalTrafficPolicy", default: .cluster),
            externalTrafficPolicy: try check.choice(
                spec.externalTrafficPolicy, "spec.externalTrafficPolicy", default: .cluster),
            healthCheckNodePort: try check.optionalPort(spec.healthCheckNodePort, "spec.healthCheckNodePort"),
            externalName: spec.externalName,
            labels: labels,
            annotations: service.metadata.annotations ?? [:],
            deletionTimestamp: service.metadata.deletionTimestamp,
            creationTimestamp: service.metadata.creationTimestamp,
            loadBalancerSourceRanges: (spec.loadBalancerSourceRanges ?? []).map(trimmed)
        )
    }

    /// `text` without white space at either end (Go's `strings.TrimSpace`, as kube-proxy applies it).
    static func trimmed(_ text: String) -> String {
        String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    static func validatePorts(_ ports: [Service.Port], _ check: FieldChecker) throws(ValidationError)
        -> [ValidatedService.Port]
    {
        var result: [ValidatedService.Port] = []
        for (index, port) in ports.enumerated() {
            let field = "spec.ports[\(index)]"
            let number = try check.port(port.port, "\(field).port")
            let name = port.name ?? ""
            if ports.count > 1 && name.isEmpty {
                throw check.fail(.missingField, "\(field).name", "is required when a Service has several ports")
            }
            if !name.isEmpty, result.contains(where: { $0.name == name }) {
                throw check.fail(.unsupportedValue, "\(field).name", "duplicate port name \"\(name)\"")
            }
            let target: TargetPort
            switch port.targetPort {
            case nil: target = .number(number)
            case .int(0): target = .number(number)
            case .int(let value): target = .number(try check.port(value, "\(field).targetPort"))
            case .string(let text):
                if text.isEmpty {
                    target = .number(number)
                } else if let value = Int(text) {
                    target = .number(try check.port(value, "\(field).targetPort"))
                } else {
                    target = .name(text)
                }
            }
            let transport = try check.transport(port.protocol, "\(field).protocol")
            if result.contains(where: { $0.port == number && $0.protocol == transport }) {
                throw check.fail(.unsupportedValue, field, "duplicate port \(number)/\(transport.rawValue)")
            }
            result.append(
                ValidatedService.Port(
                    name: name,
                    protocol: transport,
                    port: number,
                    targetPort: target,
                    nodePort: try check.optionalPort(port.nodePort, "\(field).nodePort")
                ))
        }
        return result
    }

    static func validateAffinity(_ spec: Service.Spec, _ check: FieldChecker) throws(ValidationError)
        -> SessionAffinity
    {
        switch spec.sessionAffinity {
        case nil, "", "None":
            return .none
        case "ClientIP":
            let timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? SessionAffinity.defaultTimeoutSeconds
            guard (1...86400).contains(timeout) else {
                throw check.fail(
                    .outOfRange, "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                    "\(timeout) is out of range 1-86400")
            }
            return .clientIP(timeoutSeconds: timeout)
        case .some(let other):
            throw check.fail(
                .unsupportedValue, "spec.sessionAffinity", "unsupported value \"\(other)\" (expected None or ClientIP)")
        }
    }
}
