import Testing

@testable import IPVS

/// Scheduler flags are named as ipvsadm names them, after the scheduler that reads them (the bits are shared).
@Suite struct ServiceFlagNamesTests {
    @Test(arguments: [
        ("mh", ServiceFlags.mhPort, ["mh-port"]),
        ("mh", [.mhFallback, .mhPort], ["mh-fallback", "mh-port"]),
        ("sh", [.shFallback], ["sh-fallback"]),
        ("sh", [.shPort, .scheduler3], ["sh-port", "flag-3"]),
        ("rr", [.shFallback, .shPort], ["flag-1", "flag-2"]),
        ("wlc", [.onePacket], []),
    ] as [(String, ServiceFlags, [String])])
    func namesFollowTheScheduler(scheduler: String, flags: ServiceFlags, names: [String]) {
        #expect(flags.schedulerFlagNames(scheduler: Scheduler(scheduler)) == names)
    }
}
