import Foundation
import IPVS
import Logging
import Proxy

/// Builds the proxy's parts from the command line: the kernel client, the VIP link, the configuration and the
/// reconciler. Errors from the kernel come out as one line with the fix.
struct ProxyWiring {
    let kernel: IPVSNetlinkClient
    let link: VIPInterface
    let configuration: ProxyConfiguration
    let reconciler: Reconciler

    init(options: ProxyOptions, logger: Logger) throws {
        kernel = try IPVSNetlinkClient(logger: logger)
        _ = try kernel.version()
        link = try VIPInterface(name: options.interface, logger: logger)
        let local = try link.localAddresses()
        var offered = Scheduler.offeredByKernel()
        if offered.isEmpty { offered = Set(Scheduler.known) }
        let scheduler = Scheduler(options.scheduler)
        guard offered.contains(scheduler) else {
            throw IPVSError(
                code: .unknownScheduler,
                message: "--scheduler \(scheduler): this kernel does not offer it (module \(scheduler.kernelModule));"
                    + " offered: \(offered.map(\.rawValue).sorted().joined(separator: " "))"
            )
        }
        let nodePorts = NodeAddresses.nodePortAddresses(
            local,
            prefixes: try options.prefixes(),
            vipLink: options.interface
        )
        configuration = ProxyConfiguration(
            defaultScheduler: scheduler,
            supportedSchedulers: offered,
            nodeName: options.nodeName,
            nodePortAddresses: nodePorts,
            otherInterfaceAddresses: NodeAddresses.otherInterfaceAddresses(local, vipLink: options.interface),
            proxyName: options.proxyName
        )
        reconciler = Reconciler(
            kernel: kernel,
            link: link,
            nodeAddresses: Set(nodePorts),
            nodePortRange: try options.portRange(),
            gracefulPeriod: options.gracefulPeriod.duration,
            logger: logger
        )
    }

    /// Sets the kernel settings the proxy depends on (as kube-proxy's IPVS mode does): IPVS keeps conntrack
    /// entries (masquerading needs them), the node forwards, connections to a removed real server are dropped
    /// rather than black-holed, and persistence templates of drained real servers expire.
    static func prepareKernel(logger: Logger) throws {
        let settings: [Sysctl<Bool>] = [
            Sysctls.conntrack, Sysctls.ipForward, Sysctls.expireNodestConn, Sysctls.expireQuiescentTemplate,
        ]
        for setting in settings where try setting.ensure(true) {
            logger.info("kernel setting changed", metadata: ["sysctl": "\(setting.name)", "value": "1"])
        }
    }

    /// Prints a start-up failure as one line with its fix and picks the exit code: 3 when IPVS is missing,
    /// 4 without CAP_NET_ADMIN, 1 otherwise.
    static func exitCode(for error: any Error, command: String) -> Int32 {
        FileHandle.standardError.write(Data("ipvs-proxy \(command): \(error)\n".utf8))
        guard let error = error as? IPVSError else { return 1 }
        switch error.code {
        case .familyMissing: return 3
        case .permissionDenied: return 4
        default: return 1
        }
    }
}
