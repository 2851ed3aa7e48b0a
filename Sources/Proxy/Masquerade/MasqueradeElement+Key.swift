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
            Self.append(address, to: &key)
            Self.append(protocolValue, portValue, to: &key)
        case .nodeRefused(let protocolValue, let address, let portValue):
            Self.append(address, to: &key)
            Self.append(address, to: &key)
            Self.append(protocolValue, portValue, to: &key)
        case .hairpin(let address):
            Self.append(address, to: &key)
            Self.append(address, to: &key)
        case .vip(let address):
            Self.append(address, to: &key)
        case .healthCheckPort(_, let portValue):
            key.append(UInt8(portValue >> 8))
            key.append(UInt8(truncatingIfNeeded: portValue))
        case .sourceAdmitted:
            return nil
        }
        return key
    }

    /// An address's bytes, in network order.
    private static func append(_ address: IPAddress, to key: inout [UInt8]) {
        switch address {
        case .v4(let address):
            for shift: UInt32 in [24, 16, 8, 0] { key.append(UInt8(truncatingIfNeeded: address.value >> shift)) }
        case .v6:
            key += address.bytes
        }
    }

    /// A protocol and a port as two fields of a concatenation (``proto(_:)``, ``port(_:)``).
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
        let head = address.bytes + Self.proto(protocolValue) + Self.port(portValue)
        let first = prefix.network.bytes
        var last = first
        for index in last.indices {
            // The bits of this byte past the prefix's length are the host's: all ones at the range's end.
            last[index] |= UInt8(0xff) >> max(0, min(8, Int(prefix.length) - 8 * index))
        }
        return head + first + head + last
    }

    /// A port as a field of a concatenation: network byte order, padded to four bytes.
    private static func port(_ value: UInt16) -> [UInt8] {
        [UInt8(value >> 8), UInt8(truncatingIfNeeded: value), 0, 0]
    }

    /// A protocol as a field of a concatenation: one byte, padded to four.
    private static func proto(_ value: IPVSProtocol) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value.kernelValue), 0, 0, 0]
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
