import Values
import CNetlink
import Foundation
import Glibc
import Logging

/// The dummy link that holds the node's virtual IPs (by default `kube-ipvs0`), over rtnetlink. Only this link's
/// addresses are ever added or removed. Methods throw `IPVSError`.
public final class VIPInterface: Sendable {
    /// The link's name.
    public let name: String
    let connection: NetlinkConnection
    let logger: Logger
    /// How many address requests go to the kernel per system call.
    static let batchWindow = 512

    /// Opens an rtnetlink socket for managing link `name`; a request with no reply within `receiveTimeout` fails
    /// with `.timeout`.
    public convenience init(name: String = "kube-ipvs0", logger: Logger, receiveTimeout: Duration = .seconds(10))
        throws
    {
        let socket = try NetlinkSocket(protocol: NETLINK_ROUTE, bufferSize: 4 << 20, receiveTimeout: receiveTimeout)
        self.init(
            name: name,
            connection: NetlinkConnection(
                transport: socket, name: "rtnetlink", receiveTimeout: receiveTimeout, logger: logger),
            logger: logger)
    }

    /// A link over `connection` (the tests script its replies).
    init(name: String, connection: NetlinkConnection, logger: Logger) {
        self.name = name
        self.connection = connection
        self.logger = logger
    }

    /// The link's index, or nil when it does not exist.
    public func linkIndex() throws -> Int32? {
        try link()?.index
    }

    /// The link's index and whether it is up (IFF_UP); nil when it does not exist.
    func link() throws -> (index: Int32, up: Bool)? {
        let reply = try transact("look up link \(name)") { seq, encoder in
            RouteMessages.getLink(name: name, sequence: seq, into: &encoder)
        }
        if reply.errno == ENODEV { return nil }
        try reply.check()
        // struct ifinfomsg: family, pad, type, then the index at 4 and the flags at 8.
        for message in reply.messages where message.type == UInt16(RTM_NEWLINK) && message.payload.count >= 16 {
            return message.payload.withUnsafeBytes { bytes in
                let index = bytes.loadUnaligned(fromByteOffset: 4, as: Int32.self)
                let flags = bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
                return (index, flags & RouteMessages.iffUp != 0)
            }
        }
        return nil
    }

    /// Creates the link as a dummy if it is missing, and sets it up if it is down (a link already up is not
    /// written to: an unchanged restart writes nothing); returns its index.
    @discardableResult
    public func ensureLink() throws -> Int32 {
        if let link = try link() {
            guard !link.up else { return link.index }
            let reply = try transact("set link \(name) up") { seq, encoder in
                RouteMessages.setUp(index: link.index, sequence: seq, into: &encoder)
            }
            try reply.check()
            return link.index
        }
        let reply = try transact("create dummy link \(name)") { seq, encoder in
            RouteMessages.createDummy(name: name, sequence: seq, into: &encoder)
        }
        if reply.errno == EOPNOTSUPP {
            throw IPVSError(
                code: .other,
                message: "create dummy link \(name): the kernel has no dummy driver: load it with `modprobe dummy`",
                errno: reply.errno, object: name)
        }
        if reply.errno != EEXIST { try reply.check() }
        guard let index = try linkIndex() else {
            throw IPVSError(code: .notFound, message: "link \(name) was created but cannot be found", object: name)
        }
        logger.info("created VIP link", metadata: ["link": "\(name)", "index": "\(index)"])
        return index
    }

    /// Deletes the link with its addresses; no-op when it does not exist.
    public func deleteLink() throws {
        guard let index = try linkIndex() else { return }
        let reply = try transact("delete link \(name)") { seq, encoder in
            RouteMessages.deleteLink(index: index, sequence: seq, into: &encoder)
        }
        if reply.errno != ENODEV { try reply.check() }
        logger.info("deleted VIP link", metadata: ["link": "\(name)"])
    }

    /// The addresses on the link (empty when it does not exist), without the link-local ones the kernel adds.
    public func addresses() throws -> [IPAddress] {
        guard let index = try linkIndex() else { return [] }
        return try localAddresses().filter { $0.interfaceIndex == index && !$0.address.isLinkLocal }.map(\.address)
    }

    /// Adds `address` as a /32 or /128 to the link (which must exist: see `ensureLink`); no-op if present.
    public func add(_ address: IPAddress) throws {
        let index = try requireIndex()
        let reply = try transact("add \(address) to \(name)") { seq, encoder in
            RouteMessages.address(address, add: true, index: index, sequence: seq, into: &encoder)
        }
        if reply.errno != EEXIST { try reply.check() }
    }

    /// Removes `address` from the link; no-op if it is not there.
    public func remove(_ address: IPAddress) throws {
        guard let index = try linkIndex() else { return }
        let reply = try transact("remove \(address) from \(name)") { seq, encoder in
            RouteMessages.address(address, add: false, index: index, sequence: seq, into: &encoder)
        }
        if reply.errno != EADDRNOTAVAIL { try reply.check() }
    }

    /// Adds each address as a /32 or /128 to the link (which must exist: see `ensureLink`), pipelined: many
    /// requests per system call, acknowledgements matched by sequence number. An address already present counts
    /// as added. Returns one result per address, in order; throws only when the link is missing or the socket
    /// itself fails.
    public func add(_ addresses: [IPAddress]) throws -> [Result<Void, IPVSError>] {
        guard !addresses.isEmpty else { return [] }
        return try batch(addresses, add: true, index: try requireIndex(), ignored: EEXIST)
    }

    /// Removes each address from the link, pipelined as `add(_:)` is. An address that is not there (or a link
    /// that does not exist) counts as removed. Returns one result per address, in order.
    public func remove(_ addresses: [IPAddress]) throws -> [Result<Void, IPVSError>] {
        guard !addresses.isEmpty else { return [] }
        guard let index = try linkIndex() else { return addresses.map { _ in .success(()) } }
        return try batch(addresses, add: false, index: index, ignored: EADDRNOTAVAIL)
    }

    /// Every address on every link of the node, with link names.
    public func localAddresses() throws -> [LocalAddress] {
        let links = try transact("list links") { seq, encoder in
            RouteMessages.dump(UInt16(RTM_GETLINK), sequence: seq, into: &encoder)
        }
        try links.check()
        var names: [Int32: String] = [:]
        for message in links.messages where message.type == UInt16(RTM_NEWLINK) && message.payload.count >= 16 {
            message.payload.withUnsafeBytes { raw in
                let index = raw.loadUnaligned(fromByteOffset: 4, as: Int32.self)
                names[index] = NetlinkAttributes(UnsafeRawBufferPointer(rebasing: raw[16...])).string(
                    UInt16(IFLA_IFNAME))
            }
        }
        let addresses = try transact("list addresses") { seq, encoder in
            RouteMessages.dump(UInt16(RTM_GETADDR), sequence: seq, into: &encoder)
        }
        try addresses.check()
        var out: [LocalAddress] = []
        for message in addresses.messages where message.type == UInt16(RTM_NEWADDR) && message.payload.count >= 8 {
            message.payload.withUnsafeBytes { raw in
                guard let family = AddressFamily(kernelValue: UInt16(raw[0])) else { return }
                let index = Int32(bitPattern: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
                let attributes = NetlinkAttributes(UnsafeRawBufferPointer(rebasing: raw[8...]))
                guard let bytes = attributes[UInt16(IFA_LOCAL)] ?? attributes[UInt16(IFA_ADDRESS)],
                    let address = IPAddress(raw: bytes, family: family)
                else { return }
                out.append(
                    LocalAddress(address: address, prefixLength: raw[1], interfaceIndex: index,
                                 interfaceName: names[index]))
            }
        }
        return out
    }

    func requireIndex() throws -> Int32 {
        guard let index = try linkIndex() else {
            throw IPVSError(code: .notFound, message: "link \(name) does not exist (ensureLink creates it)", object: name)
        }
        return index
    }
}
