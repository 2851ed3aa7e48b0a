import Foundation
import Testing

@testable import NFTables

@Suite struct NFTablesListingTests {
    static let listing = """
        table inet filter {
        \tchain postrouting {
        \t\ttype filter hook postrouting priority filter; policy accept;
        \t}
        }
        table inet ipvs-proxy {
        \tchain postrouting {
        \t\ttype nat hook postrouting priority srcnat; policy accept;
        \t}
        }
        table inet other {
        \tchain input {
        \t}
        }
        """

    @Test(arguments: [
        (listing, "ipvs-proxy", true),
        (listing, "other", false),
        (listing, "missing", false),
        ("", "ipvs-proxy", false),
        ("table inet ipvs-proxy {\n}\ntable inet filter {\n\tchain postrouting {\n\t}\n}\n", "ipvs-proxy", false),
    ])
    func theTableCountsAsPresentOnlyWithItsChain(output: String, table: String, expected: Bool) {
        #expect(NFTablesLibrary.listing(output, hasChain: "postrouting", inTable: table) == expected)
    }
}

/// The library's calls run on a thread of their own under a deadline (what they do in the kernel is proven in the
/// lab: `NFTablesLibraryLabTests`).
@Suite struct NFTablesLibraryThreadTests {
    @Test func aCallReturnsItsResultFromItsOwnThread() async {
        let result = await NFTablesLibrary.onThread(within: .seconds(30)) { Thread.current.name ?? "" }
        #expect(result == "nftables")
    }

    @Test func aCallPastItsDeadlineReturnsNilAtTheDeadline() async {
        let release = DispatchSemaphore(value: 0)
        let clock = ContinuousClock()
        let start = clock.now
        let result = await NFTablesLibrary.onThread(within: .milliseconds(200)) { () -> Int in
            release.wait()
            return 1
        }
        #expect(result == nil)
        #expect(clock.now - start < .seconds(20), "the caller did not wait for the thread")
        release.signal()
    }

    @Test func aTimedOutCallIsReportedAsATimeout() async {
        let release = DispatchSemaphore(value: 0)
        let error = await #expect(throws: NFTablesError.self) {
            try await NFTablesLibrary(deadline: .milliseconds(100)).call { release.wait() }
        }
        #expect(error?.code == .timeout)
        release.signal()
    }
}
