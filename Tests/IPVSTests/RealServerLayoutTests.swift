import Testing

@testable import IPVS

/// A desired virtual server keeps one ``RealServer`` per endpoint (100,000 at 10,000 Services x 10): its fields are
/// ordered so that none is padded.
@Suite struct RealServerLayoutTests {
    @Test func aRealServerTakesThirtyTwoBytes() {
        #expect(MemoryLayout<RealServer>.size == 32)
        #expect(MemoryLayout<RealServer>.stride == 32)
    }
}
