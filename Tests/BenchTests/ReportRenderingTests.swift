@testable import Bench
import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import Testing

@Suite struct ReportRenderingTests {
    static func report() -> BenchReport {
        var snapshot = RunRecorder.Snapshot()
        for latency in [2, 4, 6, 8, 100] { snapshot.latency.record(UInt64(latency * 1000)) }
        snapshot.answersByPod = ["pod-0": 3, "pod-1": 2]
        snapshot.failures = [.refused: 4]
        snapshot.connections = 9
        let rr = SchedulerResult(
            scheduler: "rr", snapshot: snapshot, seconds: 2, podNames: ["pod-0", "pod-1"],
            activeConnections: [[1, 3], [0, 2]], sampleInterval: 0.25)
        var wlc = rr
        wlc.scheduler = "wlc"
        return BenchReport(
            scenario: "demo", summary: "two <pods> & a test", load: "closed loop, 8 clients",
            pods: [
                .init(name: "pod-0", weight: 1, delay: "exp:5ms"), .init(name: "pod-1", weight: 3, delay: "none"),
            ], clientAddresses: 2, persistenceSeconds: nil, events: ["at 2s pod-1: stop"], kernel: "6.1.0",
            date: "2026-11-22T08:00:00Z",
            ceiling: .init(requestsPerSecond: 900, concurrency: 16, p50Milliseconds: 1, p99Milliseconds: 3, errors: 0),
            results: [rr, wlc])
    }

    @Test func resultFromASnapshot() throws {
        let result = try #require(Self.report().result("rr"))
        #expect(result.requests == 5)
        #expect(result.errorCount == 4)
        #expect(result.errors == ["refused": 4])
        #expect(result.throughput == 2.5)
        #expect((6...6.1).contains(result.latency.p50))  // the 6 ms bucket's upper edge
        #expect(result.latency.max == 100)
        #expect(result.pods.map(\.share) == [0.6, 0.4])
        #expect(result.pods.map(\.meanActiveConnections) == [2, 1])
        #expect(result.pods.map(\.maxActiveConnections) == [3, 2])
        #expect(result.share(of: "pod-1") == 0.4)
    }

    @Test func jsonRoundTrips() throws {
        let report = Self.report()
        let data = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(BenchReport.self, from: data) == report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["scenario", "ceiling", "results", "pods", "load", "kernel"] {
            #expect(object[key] != nil, "\(key)")
        }
    }

    @Test func svgIsWellFormedAndShowsEverySchedulerAndPod() throws {
        let svg = Self.report().svg
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        let document = try XMLDocument(xmlString: svg)
        let root = try #require(document.rootElement())
        #expect(root.name == "svg")
        let texts = try root.nodes(forXPath: "//*[local-name()='text']").compactMap(\.stringValue)
        #expect(texts.contains("rr (4 err)"))
        #expect(texts.contains("wlc (4 err)"))
        #expect(texts.contains("60%"))
        #expect(texts.contains { $0.hasPrefix("pod-1: delay none, weight 3") })
        #expect(texts.contains("two <pods> & a test"))  // escaped in the source, plain once parsed
        // One bar per percentile per scheduler, one segment per pod per scheduler, with tooltips.
        let titles = try root.nodes(forXPath: "//*[local-name()='title']").compactMap(\.stringValue)
        #expect(titles.filter { $0.contains(" p99: ") }.count == 2)
        #expect(titles.filter { $0.contains("% (") }.count == 4)
        // A dashed line marks the weights' split (1:3) on each scheduler's row.
        #expect(svg.components(separatedBy: "stroke-dasharray").count - 1 == 2)
    }

    @Test func tableHasARowPerSchedulerAndTheCeiling() {
        let lines = Self.report().table.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("load generator ceiling") && $0.contains("900 req/s") })
        let header = lines.first { $0.hasPrefix("sched  ") && $0.contains("p99 ms") }
        #expect(header != nil)
        let rr = lines.first { $0.hasPrefix("rr ") && $0.contains("60") }
        #expect(rr?.contains("2.5") == true)
        #expect(lines.contains("errors with rr: refused 4"))
    }

    @Test func progressLine() {
        let line = ProgressBar.line(
            BenchProgress(phase: "wlc", step: 3, steps: 5, elapsed: 2, total: 4, answered: 10, failed: 1), width: 10)
        #expect(line == "[3/5] wlc     [#####.....] 2/4s  10 ok  1 err")
    }

    @Test(arguments: [(0.3, 0.5), (7.0, 10), (12.0, 20), (180.0, 200), (1000.0, 1000)])
    func niceScale(value: Double, expected: Double) {
        #expect(abs(BenchReport.niceCeiling(value) - expected) < 1e-9)
    }
}
