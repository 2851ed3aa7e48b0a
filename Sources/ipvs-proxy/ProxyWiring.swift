import Foundation
import IPVS
import Logging
import Values
import Proxy
import Settings

/// Builds the proxy's parts from the command line: the kernel client, the VIP link, the configuration and the
/// reconciler. Errors from the kernel come out as one line with the fix.
struct ProxyWiring: Sendable {
    let kernel: IPVSNetlinkClient
    let link: VIPInterface
    let configuration: ProxyConfiguration
    let reconciler: Reconciler
    /// The prefixes the node's addresses are read within for NodePorts (`--nodeport-addresses`; none for `primary`).
    let nodePortPrefixes: [AddressPrefix]

    init(options: ProxySettings, logger: Logger) throws {
        // The ownership record (every virtual server the proxy made: 10,000 at 10,000 Services, a quarter of a second
        // of JSON decoding in the lab guest, on a restart's path to the kernel's read) is read on a thread of its
        // own while the kernel and the link are opened.
        let path = options.ownershipFile
        let (readRecord, opened) = DedicatedThread.alongside(name: "record-read") {
            Result { try path.flatMap { path throws in try OwnershipRecord.read(from: path) } }
        } _: {
            Result { () throws -> (IPVSNetlinkClient, VIPInterface, [LocalAddress]) in
                let kernel = try IPVSNetlinkClient(logger: logger)
                _ = try kernel.version()
                let link = try VIPInterface(name: options.interface, logger: logger)
                return (kernel, link, try link.localAddresses())
            }
        }
        let local: [LocalAddress]
        (kernel, link, local) = try opened.get()
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
        nodePortPrefixes = options.nodePortPrefixes
        let nodePorts = NodeAddresses.nodePortAddresses(
            local,
            prefixes: nodePortPrefixes,
            vipLink: options.interface
        )
        var primary = options.primaryNodePorts
        primary?.candidates = nodePorts
        if let primary {
            let bind = primary.bindAddress.map { " and --bind-address \($0)" } ?? ""
            logger.info(
                """
                --nodeport-addresses primary: NodePorts follow this node's primary IPs, the Node's status.addresses\
                \(bind); a family without a known IP keeps every address, as kube-proxy has it
                """,
                metadata: ["prefixes": "\(primary.prefixes.map(\.description))"])
        }
        configuration = ProxyConfiguration(
            defaultScheduler: scheduler,
            supportedSchedulers: offered,
            nodeName: options.nodeName,
            nodePortAddresses: nodePorts,
            primaryNodePorts: primary,
            otherInterfaceAddresses: NodeAddresses.otherInterfaceAddresses(local, vipLink: options.interface),
            proxyName: options.proxyName
        )
        var record: OwnershipRecord? = nil
        if path != nil {
            do {
                record = try readRecord.get()
            } catch {
                logger.warning(
                    """
                    the ownership record cannot be read: starting as if there were none (only virtual servers on the \
                    VIP link's addresses are taken as this proxy's)
                    """, metadata: ["error": "\(error)"])
            }
        }
        var reconciler = Reconciler(
            kernel: kernel,
            link: link,
            record: record,
            store: options.ownershipFile.map { OwnershipRecordFile(path: $0) },
            gracefulPeriod: options.gracefulPeriod,
            logger: logger
        )
        reconciler.adoptForeign = options.adopt
        reconciler.excludedPrefixes = options.excludeCIDRs
        self.reconciler = reconciler
    }

    /// Sets the kernel settings the proxy depends on, as kube-proxy's IPVS mode does (`KernelSettings`: conntrack,
    /// conn_reuse_mode by kernel version, expire_nodest_conn, expire_quiescent_template, ip_forward, and with
    /// `--ipvs-strict-arp` arp_ignore=1 and arp_announce=2): one line for each that changed, a warning for each
    /// that cannot be set. The conntrack table as kube-proxy sizes it (`ConntrackSettings`, `--conntrack-*`).
    /// Nonzero `--ipvs-*-timeout`s are set in the kernel; zero leaves its value. Blocks.
    func prepareKernel(_ options: ProxySettings, logger: Logger) throws {
        try Self.prepareKernel(options, kernel: { kernel }, logger: logger)
    }

    /// ``prepareKernel(_:logger:)`` without the rest of the wiring (`run --prepare-kernel`): no VIP link is made and
    /// no kernel connection opened unless IPVS timeouts are to be set. Blocks.
    static func prepareKernel(
        _ options: ProxySettings, kernel: () throws -> IPVSNetlinkClient, logger: Logger
    ) throws {
        KernelSettings.prepare(strictARP: options.strictARP, through: ProcSysctls(), logger: logger)
        ConntrackSettings.apply(
            options.conntrack, cores: ProcessInfo.processInfo.activeProcessorCount, sysctls: ProcSysctls(),
            sysfs: ProcSysctls(root: ConntrackSettings.sysfsRoot), logger: logger)
        let timeouts = options.ipvsTimeouts
        if timeouts.tcp > 0 || timeouts.tcpFin > 0 || timeouts.udp > 0 {
            let kernel = try kernel()
            try kernel.setTimeouts(timeouts)
            let now = try kernel.timeouts()
            logger.info(
                "IPVS timeouts", metadata: ["tcp": "\(now.tcp)", "tcpfin": "\(now.tcpFin)", "udp": "\(now.udp)"])
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
