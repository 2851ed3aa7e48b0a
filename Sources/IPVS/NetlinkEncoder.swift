import Values

/// Builds netlink messages (and generic-netlink headers and attributes) into one growing byte buffer, in the
/// host's byte order as netlink wants it. Many messages can go back to back, to be sent with one system call.
@_spi(Encoding)
public struct NetlinkEncoder: Sendable {
    /// The bytes built so far.
    public private(set) var bytes: [UInt8]

    /// An empty buffer with room for `capacity` bytes.
    public init(capacity: Int = 4096) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Forgets the bytes but keeps the storage.
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// Starts a message (struct nlmsghdr, its length patched by `endMessage`); returns its start offset.
    public mutating func beginMessage(type: UInt16, flags: UInt16, sequence: UInt32) -> Int {
        let start = bytes.count
        append(UInt32(0))
        append(type)
        append(flags)
        append(sequence)
        append(UInt32(0))  // port id: the kernel
        return start
    }

    /// Appends a generic-netlink header (struct genlmsghdr).
    public mutating func genericHeader(command: UInt8, version: UInt8) {
        bytes.append(command)
        bytes.append(version)
        append(UInt16(0))
    }

    /// Appends raw payload bytes, padded to four.
    public mutating func raw(_ payload: [UInt8]) {
        bytes.append(contentsOf: payload)
        pad()
    }

    /// Closes the message started at `start`: writes its length.
    public mutating func endMessage(_ start: Int) {
        patch(UInt32(bytes.count - start), at: start)
    }

    /// An attribute holding a native-order 16-bit value.
    public mutating func attribute(_ type: UInt16, u16 value: UInt16) {
        header(type, length: 2)
        append(value)
        pad()
    }

    /// An attribute holding a 16-bit value in network byte order (ports).
    public mutating func attribute(_ type: UInt16, be16 value: UInt16) {
        attribute(type, u16: value.bigEndian)
    }

    /// An attribute holding a native-order 32-bit value.
    public mutating func attribute(_ type: UInt16, u32 value: UInt32) {
        header(type, length: 4)
        append(value)
    }

    /// An attribute holding bytes as given.
    public mutating func attribute(_ type: UInt16, bytes payload: [UInt8]) {
        header(type, length: payload.count)
        bytes.append(contentsOf: payload)
        pad()
    }

    /// An attribute holding a NUL-terminated string.
    public mutating func attribute(_ type: UInt16, string: String) {
        let utf8 = string.utf8
        header(type, length: utf8.count + 1)
        bytes.append(contentsOf: utf8)
        bytes.append(0)
        pad()
    }

    /// An attribute holding two native-order 32-bit values (struct ip_vs_flags).
    public mutating func attribute(_ type: UInt16, u32 first: UInt32, _ second: UInt32) {
        header(type, length: 8)
        append(first)
        append(second)
    }

    /// An attribute holding an address in the kernel's 16-byte `union nf_inet_addr` form (IPv4 in the first
    /// four bytes, then zeros), written without intermediate arrays.
    public mutating func attribute(_ type: UInt16, kernelAddress address: IPAddress) {
        header(type, length: 16)
        switch address {
        case .v4(let v4):
            append(v4.value.bigEndian)
            append(UInt64(0))
            append(UInt32(0))
        case .v6(let v6):
            append(v6.high.bigEndian)
            append(v6.low.bigEndian)
        }
    }

    /// Starts a nested attribute; returns its start offset for `endNested`.
    public mutating func beginNested(_ type: UInt16) -> Int {
        let start = bytes.count
        // NLA_F_NESTED, as libnl's nla_nest_start (and so ipvsadm) marks a nest; the kernel's parsers mask it.
        header(type | 0x8000, length: 0)
        return start
    }

    /// Closes the nested attribute started at `start`.
    public mutating func endNested(_ start: Int) {
        let length = UInt16(truncatingIfNeeded: bytes.count - start)
        patch(length, at: start)
    }

    private mutating func header(_ type: UInt16, length: Int) {
        append(UInt16(truncatingIfNeeded: 4 + length))
        append(type)
    }

    private mutating func pad() {
        while bytes.count % 4 != 0 { bytes.append(0) }
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    private mutating func patch<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        withUnsafeBytes(of: value) { raw in
            for (index, byte) in raw.enumerated() { bytes[offset + index] = byte }
        }
    }
}
