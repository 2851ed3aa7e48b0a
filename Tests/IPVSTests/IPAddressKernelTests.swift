import Testing
import Values

@testable import IPVS

/// The kernel's address layout: 16 bytes whatever the family, IPv4 first (the text forms are tested in Values).
@Suite struct IPAddressKernelTests {
    @Test func kernelBytesAreSixteenWithIPv4First() throws {
        let v4 = try #require(IPAddress("10.96.0.10"))
        #expect(v4.kernelBytes == [10, 96, 0, 10] + [UInt8](repeating: 0, count: 12))
        #expect(IPAddress(kernelBytes: v4.kernelBytes, family: .ipv4) == v4)
        let v6 = try #require(IPAddress("fd00::1"))
        #expect(v6.kernelBytes.count == 16)
        #expect(IPAddress(kernelBytes: v6.kernelBytes, family: .ipv6) == v6)
    }
}
