import ArgumentParser
import Foundation
import IPVS
import Logging
import Proxy

/// How the proxy programs the kernel. Names follow kube-proxy's where the meaning is the same.
struct ProxyOptions: ParsableArguments {
    @Option(
        name: [.customLong("scheduler"), .customLong("ipvs-scheduler")],
        help: "Default IPVS scheduler (a Service may choose another with the ipvs-proxy.io/scheduler annotation)."
    )
    var scheduler = "rr"

    @Option(help: "How often the kernel is re-read and fully reconciled.")
    var syncPeriod = DurationArgument("30s", .seconds(30))

    @Option(help: "How long a removed endpoint keeps its connections (weight 0) before it is deleted.")
    var gracefulPeriod = DurationArgument("30s", .seconds(30))

    @Option(help: "The dummy interface holding the virtual IPs.")
    var interface = "kube-ipvs0"

    @Option(
        help: ArgumentHelp(
            "CIDRs of the node addresses NodePorts are served on, comma-separated (default: all but loopback).",
            valueName: "cidrs"
        )
    )
    var nodeportAddresses: String?

    @Option(help: "The NodePort range: virtual servers on node addresses with these ports are the proxy's.")
    var nodePortRange = "30000-32767"

    @Option(help: "This node's name, for Local traffic policies (default: the host name).")
    var hostnameOverride: String?

    @Option(help: "Handle only Services labelled service.kubernetes.io/service-proxy-name with this value.")
    var proxyName: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        _ = try prefixes()
        _ = try portRange()
    }

    func prefixes() throws -> [AddressPrefix] {
        let words = (nodeportAddresses ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return try words.filter { !$0.isEmpty }.map { word in
            guard let prefix = AddressPrefix(word) else {
                throw ValidationError("--nodeport-addresses: \"\(word)\" is not a CIDR (like 10.0.0.0/8)")
            }
            return prefix
        }
    }

    func portRange() throws -> ClosedRange<UInt16> {
        let parts = nodePortRange.split(separator: "-")
        guard parts.count == 2, let low = UInt16(parts[0]), let high = UInt16(parts[1]), low <= high, low > 0 else {
            throw ValidationError("--node-port-range: \"\(nodePortRange)\" is not a port range (like 30000-32767)")
        }
        return low...high
    }

    var nodeName: String {
        (hostnameOverride ?? ProcessInfo.processInfo.hostName).lowercased()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
