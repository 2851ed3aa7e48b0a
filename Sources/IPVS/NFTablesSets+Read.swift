import Glibc
import Values

extension NFTablesSetClient {
    public func keys(table: String, sets: [String]) throws(IPVSError) -> [String: [[UInt8]]] {
        var found = [[[UInt8]]](repeating: [], count: sets.count)
        let errnos: [Int32]
        do {
            // One dump at a time: a netlink socket runs one dump at once.
            errnos = try connection.exchange(count: sets.count, window: 1, slot: 32 << 10) { index, sequence, encoder in
                NFTablesSetMessages.encodeDump(set: sets[index], table: table, sequence: sequence, into: &encoder)
            } onReply: { index, message in
                NFTablesSetMessages.decodeKeys(message, into: &found[index])
            }
        } catch let error as IPVSError {
            throw error
        } catch {
            throw IPVSError(code: .transport, message: "nfnetlink: \(error)")
        }
        if let failed = errnos.indices.first(where: { errnos[$0] != 0 }) {
            throw IPVSError.kernel(errno: errnos[failed], request: "list set \(sets[failed]) of table inet \(table)")
        }
        return Dictionary(zip(sets, found), uniquingKeysWith: { first, second in first + second })
    }
}

extension NFTablesSetMessages {
    static let getSetElement: UInt16 = 13  // NFT_MSG_GETSETELEM

    /// A dump request for the elements of `set` in `inet` table `table`.
    public static func encodeDump(set: String, table: String, sequence: UInt32, into encoder: inout NetlinkEncoder) {
        // NLM_F_REQUEST | NLM_F_DUMP.
        let start = encoder.beginMessage(type: subsystem << 8 | getSetElement, flags: 0x301, sequence: sequence)
        header(family: inet, resource: 0, into: &encoder)
        encoder.attribute(1, string: table)  // NFTA_SET_ELEM_LIST_TABLE
        encoder.attribute(2, string: set)  // NFTA_SET_ELEM_LIST_SET
        encoder.endMessage(start)
    }

    /// Appends the keys of the elements in one message of a set-element dump (`NFT_MSG_NEWSETELEM`): each element's
    /// `NFTA_SET_ELEM_KEY` value, followed by its `NFTA_SET_ELEM_KEY_END` value when it has one. Another message is
    /// ignored; an element without a key (a catch-all) is skipped.
    static func decodeKeys(_ message: NetlinkMessageView, into keys: inout [[UInt8]]) {
        guard message.type == subsystem << 8 | newSetElement, message.payload.count >= 4 else { return }
        let attributes = NetlinkAttributes(UnsafeRawBufferPointer(rebasing: message.payload[4...]))
        // NFTA_SET_ELEM_LIST_ELEMENTS > NFTA_LIST_ELEM
        attributes.nested(3)?.forEach(1) { element in
            let fields = NetlinkAttributes(element)
            guard let key = fields.nested(1)?[1] else { return }  // NFTA_SET_ELEM_KEY, NFTA_DATA_VALUE
            var bytes = [UInt8](key)
            if let end = fields.nested(10)?[1] { bytes += end }  // NFTA_SET_ELEM_KEY_END
            keys.append(bytes)
        }
    }
}
