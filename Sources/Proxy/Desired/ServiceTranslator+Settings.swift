import IPVS
import Kube

extension ServiceTranslator {
    /// The scheduler, its flags and the persistence a Service asks for, with diagnostics for what could not be
    /// honoured.
    static func settings(
        of service: ValidatedService,
        configuration: ProxyConfiguration
    ) -> (Scheduler, ServiceFlags, (timeout: UInt32, prefixLength: UInt8?)?, [ServiceDiagnostic]) {
        var diagnostics: [ServiceDiagnostic] = []
        let name = service.key.description
        var scheduler = configuration.defaultScheduler
        for key in [ServiceAnnotations.scheduler, ServiceAnnotations.kubeRouterScheduler] {
            guard let value = service.annotations[key]?.trimmingCharacters(in: .whitespaces), !value.isEmpty
            else { continue }
            let asked = Scheduler(value.lowercased())
            if configuration.supportedSchedulers.contains(asked) {
                scheduler = asked
            } else {
                diagnostics.append(
                    ServiceDiagnostic(
                        code: .unsupportedScheduler,
                        service: name,
                        field: "metadata.annotations[\(key)]",
                        message: "scheduler \"\(value)\" is not offered by this kernel (module \(asked.kernelModule));"
                            + " using the default, \(configuration.defaultScheduler)"
                    )
                )
            }
            break
        }

        // mh hashes the source port too unless the Service says otherwise, as kube-proxy sets mh-port with mh.
        var flags: ServiceFlags = scheduler == .maglev ? .mhPort : []
        for key in [ServiceAnnotations.schedulerFlags, ServiceAnnotations.kubeRouterSchedulerFlags] {
            guard let value = service.annotations[key] else { continue }
            flags = []
            for word in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
                switch word {
                case "sh-fallback", "mh-fallback", "flag-1": flags.insert(.shFallback)
                case "sh-port", "mh-port", "flag-2": flags.insert(.shPort)
                case "flag-3": flags.insert(.scheduler3)
                case "": continue
                default:
                    diagnostics.append(
                        ServiceDiagnostic(
                            code: .badAnnotation,
                            service: name,
                            field: "metadata.annotations[\(key)]",
                            message: "unknown scheduler flag \"\(word)\" ignored"
                                + " (known: sh-fallback, sh-port, mh-fallback, mh-port, flag-1, flag-2, flag-3)"
                        )
                    )
                }
            }
            break
        }

        var persistence: (timeout: UInt32, prefixLength: UInt8?)?
        if case .clientIP(let timeoutSeconds) = service.sessionAffinity {
            var prefix: UInt8?
            if let value = service.annotations[ServiceAnnotations.persistenceNetmask] {
                if let number = UInt8(value.trimmingCharacters(in: .whitespaces)), number <= 128 {
                    prefix = number
                } else {
                    diagnostics.append(
                        ServiceDiagnostic(
                            code: .badAnnotation,
                            service: name,
                            field: "metadata.annotations[\(ServiceAnnotations.persistenceNetmask)]",
                            message: "\"\(value)\" is not a prefix length (0-32 for IPv4, 1-128 for IPv6); ignored"
                        )
                    )
                }
            }
            persistence = (UInt32(clamping: timeoutSeconds), prefix)
        }
        return (scheduler, flags, persistence, diagnostics)
    }
}

extension IPVSProtocol {
    /// The IPVS protocol of a Kubernetes transport protocol.
    init(_ transport: TransportProtocol) {
        switch transport {
        case .tcp: self = .tcp
        case .udp: self = .udp
        case .sctp: self = .sctp
        }
    }
}
