import IPVS
import Values

extension MasqueradeElement {
    /// The element's key as the kernel stores it in its set, for writing it without nft: each field of a
    /// concatenation padded to four bytes (nftables' registers), addresses and ports in network byte order, the
    /// protocol one byte; a set of one field holds it unpadded (a health-check port: two bytes). Nil for an element
    /// of an interval set (an admitted range), whose ranges only nft's text can write.
    public var kernelKey: [UInt8]? {
        // Built in one array (at 10,000 Services a restart compares 130,000 keys with the sets read back).
        var key: [UInt8] = []
        key.reserveCapacity(40)
        switch self {
        case .always(let protocolValue, let address, let portValue),
            .fromOutside(let protocolValue, let address, let portValue),
            .fromVirtualServerAddress(let protocolValue, let address, let portValue),
            .vipPort(let protocolValue, let address, let portValue),
            .sourceGuarded(let protocolValue, let address, let portValue):
            key += address.bytes
            Self.append(protocolValue, portValue, to: &key)
        case .nodeRefused(let protocolValue, let address, let portValue):
            key += address.bytes
            key += address.bytes
            Self.append(protocolValue, portValue, to: &key)
        case .hairpin(let address):
            key += address.bytes
            key += address.bytes
        case .vip(let address):
            key += address.bytes
        case .healthCheckPort(_, let portValue):
            key.append(UInt8(portValue >> 8))
            key.append(UInt8(truncatingIfNeeded: portValue))
        case .sourceAdmitted:
            return nil
        }
        return key
    }

    /// A protocol and a port as two fields of a concatenation: the protocol one byte, the port in network byte order,
    /// each padded to four bytes.
    private static func append(_ protocolValue: IPVSProtocol, _ portValue: UInt16, to key: inout [UInt8]) {
        key.append(UInt8(truncatingIfNeeded: protocolValue.kernelValue))
        key.append(contentsOf: repeatElement(0, count: 3))
        key.append(UInt8(portValue >> 8))
        key.append(UInt8(truncatingIfNeeded: portValue))
        key.append(contentsOf: repeatElement(0, count: 2))
    }

    /// The element as a dump of its set reads it back (``NFTablesSetAccess/keys(table:sets:)``): its kernel key, or
    /// for an admitted range, the key of the range's first address followed by the key of its last (a set of
    /// concatenated ranges stores each element as the two ends, every field but the range the same in both).
    public var storedKey: [UInt8] {
        guard case .sourceAdmitted(let protocolValue, let address, let portValue, let prefix) = self else {
            return kernelKey ?? []
        }
        var head = address.bytes
        Self.append(protocolValue, portValue, to: &head)
        let first = prefix.network.bytes
        var last = first
        for index in last.indices {
            // The bits of this byte past the prefix's length are the host's: all ones at the range's end.
            last[index] |= UInt8(0xff) >> max(0, min(8, Int(prefix.length) - 8 * index))
        }
        return head + first + head + last
    }

}

extension MasqueradeDelta {
    /// The delta as set changes with kernel keys, in ``bySet``'s order, or nil when an element has no kernel key (an
    /// interval set's).
    public func setChanges() -> [NFTablesSetChange]? {
        var changes: [NFTablesSetChange] = []
        for (add, set, elements) in bySet {
            let keys = elements.compactMap(\.kernelKey)
            guard keys.count == elements.count else { return nil }
            changes.append(NFTablesSetChange(set: set, add: add, keys: keys))
        }
        return changes
    }
}
