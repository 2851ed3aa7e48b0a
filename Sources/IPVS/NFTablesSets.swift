import CNetlink
import Glibc
import Logging
import Values

/// Elements to add to, or delete from, one set of an nftables table: each key as the kernel stores it (the
/// fields of a concatenation each padded to four bytes, addresses and ports in network byte order).
public struct NFTablesSetChange: Sendable, Hashable {
    /// The set's name.
    public var set: String
    /// Add (as `add element`: an element already there is no error) or delete (a missing element fails the batch).
    public var add: Bool
    /// The keys.
    public var keys: [[UInt8]]

    /// A change of `keys` in `set`.
    public init(set: String, add: Bool, keys: [[UInt8]]) {
        (self.set, self.add, self.keys) = (set, add, keys)
    }
}

/// Writes set elements of an `inet` table in one nf_tables transaction, and reads them back. Blocks: call it from a
/// thread of its own.
public protocol NFTablesSetAccess: Sendable {
    /// Applies `changes`, in order, to the sets of `inet` table `table`, all or nothing. Throws `IPVSError` when
    /// the kernel refuses any of them (nothing is then applied) or cannot be reached. The batch goes as one
    /// datagram: keep one to some thousands of keys (the client's socket buffer is 1 MiB).
    func apply(table: String, _ changes: [NFTablesSetChange]) throws(IPVSError)
    /// The keys each of `sets` of `inet` table `table` holds, as ``NFTablesSetChange`` writes them; an element of a
    /// set of ranges reads as its key followed by its range's end (`NFTA_SET_ELEM_KEY_END`). Throws `IPVSError`
    /// when a set is missing (`ENOENT`) or the kernel cannot be reached.
    func keys(table: String, sets: [String]) throws(IPVSError) -> [String: [[UInt8]]]
}

/// Set elements written straight over a netfilter netlink socket, and read back with one dump per set
/// (`NFT_MSG_GETSETELEM`, ``keys(table:sets:)``): a write is one batch (`NFNL_MSG_BATCH_BEGIN`, a
/// `NEWSETELEM` or `DELSETELEM` per change, `NFNL_MSG_BATCH_END`) in one datagram, which the kernel applies as
/// one transaction, as `nft` does for `add element`/`delete element`, without nft's parser and cache (a fresh
/// libnftables context read the table's definitions before every change: 30-50 ms per EndpointSlice change in the
/// emulated lab guest, most of a change's latency).
public final class NFTablesSetClient: NFTablesSetAccess {
    let connection: NetlinkConnection

    /// Opens a netfilter netlink socket; a request with no answer within `receiveTimeout` fails with `.timeout`.
    public convenience init(logger: Logger, receiveTimeout: Duration = .seconds(10)) throws(IPVSError) {
        let socket: NetlinkSocket
        do {
            socket = try NetlinkSocket(protocol: NETLINK_NETFILTER, bufferSize: 1 << 20, receiveTimeout: receiveTimeout)
        } catch let error as IPVSError {
            throw error
        } catch {
            throw IPVSError(code: .transport, message: "could not open a netfilter netlink socket: \(error)")
        }
        self.init(
            connection: NetlinkConnection(
                transport: socket, name: "nfnetlink", receiveTimeout: receiveTimeout, logger: logger))
    }

    /// A writer over `connection` (the tests script its replies).
    init(connection: NetlinkConnection) {
        self.connection = connection
    }

    /// The most keys one message carries: its list of elements is one attribute, whose length has 16 bits (1,024
    /// keys of the longest kind, 36 bytes, take 48 KiB with their nesting).
    public static let keysPerMessage = 1024

    public func apply(table: String, _ changes: [NFTablesSetChange]) throws(IPVSError) {
        let changes = changes.flatMap { change in
            stride(from: 0, to: change.keys.count, by: Self.keysPerMessage).map {
                NFTablesSetChange(
                    set: change.set, add: change.add,
                    keys: Array(change.keys[$0..<min($0 + Self.keysPerMessage, change.keys.count)]))
            }
        }
        guard !changes.isEmpty else { return }
        let errnos: [Int32]
        do {
            errnos = try connection.exchange(count: changes.count, window: changes.count, slot: 4096) {
                index, sequence, encoder in
                NFTablesSetMessages.encode(
                    changes[index], table: table, sequence: sequence, first: index == 0,
                    last: index == changes.count - 1, into: &encoder)
            }
        } catch let error as IPVSError {
            throw error
        } catch {
            throw IPVSError(code: .transport, message: "nfnetlink: \(error)")
        }
        // The kernel acknowledges every message of an aborted batch, the applied-then-undone ones with 0: one
        // error means nothing was applied.
        guard let failed = errnos.indices.first(where: { errnos[$0] != 0 }) else { return }
        let change = changes[failed]
        let what =
            "\(change.add ? "add" : "delete") \(change.keys.count) element(s) of set \(change.set) "
            + "in table inet \(table)"
        throw IPVSError.kernel(errno: errnos[failed], request: what)
    }
}

/// The nfnetlink messages of a set-element batch.
@_spi(Encoding)
public enum NFTablesSetMessages {
    static let subsystem: UInt16 = 10  // NFNL_SUBSYS_NFTABLES
    static let batchBegin: UInt16 = 16  // NFNL_MSG_BATCH_BEGIN (NLMSG_MIN_TYPE)
    static let batchEnd: UInt16 = 17  // NFNL_MSG_BATCH_END
    static let newSetElement: UInt16 = 12  // NFT_MSG_NEWSETELEM
    static let deleteSetElement: UInt16 = 14  // NFT_MSG_DELSETELEM
    static let inet: UInt8 = 1  // NFPROTO_INET

    /// Appends `change` as one message with `sequence` (preceded by the batch's begin when `first`, followed by its
    /// end when `last`; both carry the same sequence number and are not acknowledged).
    public static func encode(
        _ change: NFTablesSetChange, table: String, sequence: UInt32, first: Bool, last: Bool,
        into encoder: inout NetlinkEncoder
    ) {
        if first { control(batchBegin, sequence: sequence, into: &encoder) }
        let type = subsystem << 8 | (change.add ? newSetElement : deleteSetElement)
        // NLM_F_REQUEST | NLM_F_ACK, and NLM_F_CREATE for an add (without NLM_F_EXCL: present is no error).
        let flags: UInt16 = change.add ? 0x405 : 0x005
        let start = encoder.beginMessage(type: type, flags: flags, sequence: sequence)
        header(family: inet, resource: 0, into: &encoder)
        encoder.attribute(1, string: table)  // NFTA_SET_ELEM_LIST_TABLE
        encoder.attribute(2, string: change.set)  // NFTA_SET_ELEM_LIST_SET
        let elements = encoder.beginNested(3)  // NFTA_SET_ELEM_LIST_ELEMENTS
        for key in change.keys {
            let element = encoder.beginNested(1)  // NFTA_LIST_ELEM
            let keyNest = encoder.beginNested(1)  // NFTA_SET_ELEM_KEY
            encoder.attribute(1, bytes: key)  // NFTA_DATA_VALUE
            encoder.endNested(keyNest)
            encoder.endNested(element)
        }
        encoder.endNested(elements)
        encoder.endMessage(start)
        if last { control(batchEnd, sequence: sequence, into: &encoder) }
    }

    /// A batch begin or end: no flags but NLM_F_REQUEST, the nf_tables subsystem as its resource id.
    private static func control(_ type: UInt16, sequence: UInt32, into encoder: inout NetlinkEncoder) {
        let start = encoder.beginMessage(type: type, flags: 0x1, sequence: sequence)
        header(family: 0, resource: subsystem, into: &encoder)
        encoder.endMessage(start)
    }

    /// struct nfgenmsg: the family, NFNETLINK_V0, the resource id in network byte order.
    static func header(family: UInt8, resource: UInt16, into encoder: inout NetlinkEncoder) {
        encoder.raw([family, 0, UInt8(resource >> 8), UInt8(truncatingIfNeeded: resource)])
    }
}
