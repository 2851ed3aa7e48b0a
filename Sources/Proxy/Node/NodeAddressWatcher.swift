import IPVS
import Logging
import NIOPosix
import ServiceLifecycle
import Values

/// Where the node's addresses come from, as the watcher needs them: a blocking wait for a change, and a fresh read.
/// The real one is an rtnetlink socket in the address groups with the VIP link's address dump
/// (``RouteNodeAddresses``); the tests script one.
public protocol NodeAddressSource: Sendable {
    /// Waits at most `timeout` for an address to be added or removed; true when one was. Blocks.
    func waitForChange(timeout: Duration) throws -> Bool
    /// Every address on every interface. Blocks.
    func localAddresses() throws -> [LocalAddress]
}

/// The node's addresses as the desired state uses them.
public struct NodeAddressSet: Sendable, Hashable {
    /// The addresses NodePorts are served on (`NodeAddresses.nodePortAddresses`).
    public var nodePortAddresses: [IPAddress]
    /// The addresses on interfaces other than the VIP link.
    public var otherInterfaceAddresses: Set<IPAddress>

    /// A set.
    public init(nodePortAddresses: [IPAddress], otherInterfaceAddresses: Set<IPAddress>) {
        self.nodePortAddresses = nodePortAddresses
        self.otherInterfaceAddresses = otherInterfaceAddresses
    }

    /// The set `local` gives, for NodePorts within `prefixes` (`--nodeport-addresses`) and VIP link `vipLink`.
    public init(_ local: [LocalAddress], prefixes: [AddressPrefix], vipLink: String) {
        nodePortAddresses = NodeAddresses.nodePortAddresses(local, prefixes: prefixes, vipLink: vipLink)
        otherInterfaceAddresses = NodeAddresses.otherInterfaceAddresses(local, vipLink: vipLink)
    }
}

/// Follows the node's addresses live, as a ServiceLifecycle service: each time an address is added or removed
/// (rtnetlink address events), the addresses are read again and, when the NodePort addresses or the other
/// interfaces' addresses changed, the new set is yielded on `updates` (the proxy service feeds it to its loop).
/// The blocking waits run on a thread of the watcher's own, one second at most each, so cancellation is seen
/// within a second; a failed read is logged and retried at the next event or second.
public struct NodeAddressWatcher: ServiceLifecycle.Service {
    /// The changed sets, in order.
    public let updates: AsyncStream<NodeAddressSet>
    let continuation: AsyncStream<NodeAddressSet>.Continuation
    let source: any NodeAddressSource
    let initial: NodeAddressSet
    let prefixes: [AddressPrefix]
    let vipLink: String
    let logger: Logger

    /// A watcher over `source`, starting from `initial` (what the proxy was configured with at start).
    public init(
        source: any NodeAddressSource, initial: NodeAddressSet, prefixes: [AddressPrefix], vipLink: String,
        logger: Logger
    ) {
        (updates, continuation) = AsyncStream.makeStream(of: NodeAddressSet.self, bufferingPolicy: .bufferingNewest(1))
        self.source = source
        self.initial = initial
        self.prefixes = prefixes
        self.vipLink = vipLink
        self.logger = logger
    }

    public func run() async throws {
        defer { continuation.finish() }
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        do {
            try await watch(on: pool)
        } catch {
            try? await pool.shutdownGracefully()
            throw error
        }
        try await pool.shutdownGracefully()
    }

    private func watch(on pool: NIOThreadPool) async throws {
        var current = initial
        // An address may have changed between the start-up read and the subscription: read once at once.
        var changed = true
        let (source, prefixes, vipLink) = (self.source, self.prefixes, self.vipLink)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if changed {
                do {
                    let now = try await pool.runIfActive {
                        NodeAddressSet(try source.localAddresses(), prefixes: prefixes, vipLink: vipLink)
                    }
                    if now != current {
                        logger.info(
                            "node addresses changed",
                            metadata: ["nodePortAddresses": "\(now.nodePortAddresses.map(\.description))"])
                        current = now
                        continuation.yield(now)
                    }
                } catch {
                    logger.warning("could not read the node's addresses", metadata: ["error": "\(error)"])
                }
            }
            do {
                changed = try await pool.runIfActive { try source.waitForChange(timeout: .seconds(1)) }
            } catch {
                logger.warning("could not read address events", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(1))
                changed = true
            }
        }
    }
}

/// The real source: rtnetlink address events, and the VIP link's dump of every address.
public struct RouteNodeAddresses: NodeAddressSource {
    let events: AddressEvents
    let link: VIPInterface

    /// Subscribes to address events; addresses are read through `link`'s rtnetlink socket.
    public init(link: VIPInterface) throws {
        self.events = try AddressEvents()
        self.link = link
    }

    public func waitForChange(timeout: Duration) throws -> Bool { try events.waitForChange(timeout: timeout) }
    public func localAddresses() throws -> [LocalAddress] { try link.localAddresses() }
}
