import IPVS
import Values

extension MasqueradeElement {
    /// The element's key as the kernel stores it in its set, for writing it without nft: each field of a
    /// concatenation padded to four bytes (nftables' registers), addresses and ports in network byte order, the
    /// protocol one byte; a set of one field holds it unpadded (a health-check port: two bytes). Nil for an element
    /// of an interval set (an admitted range), whose ranges only nft's text can write.
    public var kernelKey: [UInt8]? {
        if case .sourceAdmitted = self { return nil }
        return storedKey
    }

    /// The element as a dump of its set reads it back (``NFTablesSetAccess/keys(table:sets:)``): its kernel key, or
    /// for an admitted range, the key of the range's first address followed by the key of its last (a set of
    /// concatenated ranges stores each element as the two ends, every field but the range the same in both).
    public var storedKey: [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(40)
        storedKey(into: &key)
        return key
    }

    /// Writes ``storedKey`` into `key`, replacing what it held and keeping its storage: at 10,000 Services a restart
    /// compares 130,000 keys with the sets read back, in one buffer.
    public func storedKey(into key: inout [UInt8]) {
        key.removeAll(keepingCapacity: true)
        switch self {
        case .always(let protocolValue, let address, let portValue),
            .fromOutside(let protocolValue, let address, let portValue),
            .fromVirtualServerAddress(let protocolValue, let address, let portValue),
            .vipPort(let protocolValue, let address, let portValue),
            .sourceGuarded(let protocolValue, let address, let portValue):
            address.appendBytes(to: &key)
            Self.append(protocolValue, portValue, to: &key)
        case .nodeRefused(let protocolValue, let address, let portValue):
            address.appendBytes(to: &key)
            address.appendBytes(to: &key)
            Self.append(protocolValue, portValue, to: &key)
        case .hairpin(let address):
            address.appendBytes(to: &key)
            address.appendBytes(to: &key)
        case .vip(let address):
            address.appendBytes(to: &key)
        case .healthCheckPort(_, let portValue):
            key.append(UInt8(portValue >> 8))
            key.append(UInt8(truncatingIfNeeded: portValue))
        case .sourceAdmitted(let protocolValue, let address, let portValue, let prefix):
            // The range's first address, then its last: the bits past the prefix's length are the host's, all ones
            // at the range's end.
            address.appendBytes(to: &key)
            Self.append(protocolValue, portValue, to: &key)
            prefix.network.appendBytes(to: &key)
            address.appendBytes(to: &key)
            Self.append(protocolValue, portValue, to: &key)
            prefix.network.appendBytes(to: &key)
            let width = prefix.network.family.bitWidth / 8
            for index in 0..<width {
                key[key.count - width + index] |= UInt8(0xff) >> max(0, min(8, Int(prefix.length) - 8 * index))
            }
        }
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
