#if canImport(Glibc)
    import Glibc
#endif
import Testing

@testable import Values

@Suite struct OpenFileLimitTests {
    @Test func theSoftLimitIsRaisedToTheHardOne() throws {
        let (_, hard) = try #require(OpenFileLimit.current())
        try #require(hard > 1000 && hard != UInt64(rlim_t.max), "a finite hard limit to test against")
        // One below the hard limit first (harmless to the other tests of this process), then raised again.
        var lowered = rlimit(rlim_cur: rlim_t(hard - 1), rlim_max: rlim_t(hard))
        try #require(setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lowered) == 0)
        let raised = try #require(OpenFileLimit.raiseSoftToHard())
        #expect(raised.before == hard - 1)
        #expect(raised.after == hard)
        #expect(OpenFileLimit.current()?.soft == hard)
    }
}
