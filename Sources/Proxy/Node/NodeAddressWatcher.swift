import IPVS
import Logging
import NIOPosix
import ServiceLifecycle
import Values

/// Where the node's addresses come from, as the watcher needs them: a wait for a change, and a fresh read.
/// The real one is an rtnetlink socket in the address groups with the VIP link's address dump
/// (``RouteNodeAddresses``); the tests script one.
public protocol NodeAddressSource: Sendable {
    /// Waits until an address is added or removed (true) or `deadline` passes (false), holding no thread of Swift's
    /// cooperative pool. Throws `CancellationError` when the task is cancelled.
    func nextChange(until deadline: ContinuousClock.Instant) async throws -> Bool
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
/// The wait for a change holds no thread and no timer (``NodeAddressSource/nextChange(until:)``); the blocking
/// reads of the addresses run on a thread of the watcher's own. A failed read is logged and retried at the next
/// event or a second later.
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
            // A graceful shutdown ends the wait for an address event at once.
            try await cancelWhenGracefulShutdown { try await watch(on: pool) }
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
        while !Task.isCancelled {
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
                // The deadline only bounds the wait; it is no safety net (nothing is read when it passes).
                changed = try await source.nextChange(until: .now + .seconds(300))
            } catch {
                if Task.isCancelled { return }
                logger.warning("could not read address events", metadata: ["error": "\(error)"])
                guard (try? await Task.sleep(for: .seconds(1))) != nil else { return }
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

    public func nextChange(until deadline: ContinuousClock.Instant) async throws -> Bool {
        try await events.nextChange(until: deadline)
    }
    public func localAddresses() throws -> [LocalAddress] { try link.localAddresses() }
}
