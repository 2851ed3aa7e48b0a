import Foundation
import Testing
import Values

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
        \t\tcomment "ipvs-proxy 0123456789abcdef"
        \t\ttype nat hook postrouting priority srcnat; policy accept;
        \t}
        }
        table inet unmarked {
        \tchain postrouting {
        \t\ttype nat hook postrouting priority srcnat; policy accept;
        \t}
        }
        table inet other {
        \tchain input {
        \t}
        }
        """

    static let cases: [(output: String, table: String, mark: String?)] = [
        (listing, "ipvs-proxy", "ipvs-proxy 0123456789abcdef"),
        (listing, "unmarked", ""),
        (listing, "filter", ""),
        (listing, "other", nil),
        (listing, "missing", nil),
        ("", "ipvs-proxy", nil),
        ("table inet ipvs-proxy {\n}\ntable inet filter {\n\tchain postrouting {\n\t}\n}\n", "ipvs-proxy", nil),
    ]

    @Test(arguments: cases)
    func theMarkIsThePostroutingChainsCommentAndTheTableCountsOnlyWithThatChain(
        output: String, table: String, mark: String?
    ) {
        #expect(NFTablesLibrary.comment(in: output, chain: "postrouting", table: table) == mark)
    }
}

/// The library's calls run on a thread of their own under a deadline (what they do in the kernel is proven in the
/// lab: `NFTablesLibraryLabTests`).
@Suite struct NFTablesLibraryThreadTests {
    /// Counts the calls that have started.
    final class Started: Sendable {
        let count = Locked(0)
    }

    @Test func blockingCallsRunAtOnceEachOnAThreadOfItsOwnNotOnTheCooperativePool() async {
        // More blocked calls than the cooperative pool has threads: on the pool, they could not all start.
        let calls = ProcessInfo.processInfo.activeProcessorCount + 4
        let started = Started()
        let release = DispatchSemaphore(value: 0)
        // A watchdog on a plain thread: were the pool held, this test's own task could not run to let them go.
        let fired = Started()
        // Generous: the wait below has no deadline of its own (a loaded machine may start threads slowly), so this
        // bounds a failing run, not a passing one.
        let watchdog = Thread {
            Thread.sleep(forTimeInterval: 300)
            fired.count.withLock { $0 = 1 }
            for _ in 0..<calls { release.signal() }
        }
        let results = await withTaskGroup(of: Int?.self) { group in
            for index in 0..<calls {
                group.addTask {
                    await DedicatedThread.run(name: "nftables", within: .seconds(120)) {
                        started.count.withLock { $0 += 1 }
                        release.wait()
                        return index
                    }
                }
            }
            watchdog.start()
            while started.count.withLock({ $0 }) < calls && fired.count.withLock({ $0 }) == 0 {
                try? await Task.sleep(for: .milliseconds(10))
            }
            #expect(fired.count.withLock { $0 } == 0, "all \(calls) blocked at once, before the watchdog let them go")
            for _ in 0..<calls { release.signal() }
            var results: [Int] = []
            for await result in group { results += result.map { [$0] } ?? [] }
            return results.sorted()
        }
        #expect(results == Array(0..<calls), "each call returned its own result")
        #expect(fired.count.withLock { $0 } == 0, "the test let the calls go, not its watchdog")
    }

    @Test func aCallPastItsDeadlineReturnsNilAtTheDeadline() async {
        let release = DispatchSemaphore(value: 0)
        let finished = Started()
        let result = await DedicatedThread.run(name: "nftables", within: .milliseconds(200)) { () -> Int in
            release.wait()
            finished.count.withLock { $0 = 1 }
            return 1
        }
        #expect(result == nil)
        // The call is still blocked (released only below): the caller came back without waiting for it.
        #expect(finished.count.withLock { $0 } == 0, "the caller did not wait for the thread")
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
