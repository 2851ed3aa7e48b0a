import Foundation
import Proxy
import Testing

/// kube-proxy's healthz rule: healthy unless a change has waited longer than the timeout.
@Suite struct ProxyHealthTests {
    enum Step { case queued(TimeInterval), updated(TimeInterval) }

    @Test(
        arguments: [
            ([], 1000.0, true, nil),
            ([.queued(0)], 59.0, true, nil),
            ([.queued(0)], 60.0, false, nil),
            ([.queued(0), .queued(50)], 61.0, false, nil),
            ([.queued(0), .updated(10)], 1000.0, true, 10.0),
            ([.queued(0), .updated(10), .queued(20)], 79.0, true, 10.0),
            ([.queued(0), .updated(10), .queued(20)], 80.0, false, 10.0),
            ([.updated(5)], 1000.0, true, 5.0),
        ] as [([Step], TimeInterval, Bool, TimeInterval?)])
    func rule(steps: [Step], at: TimeInterval, healthy: Bool, lastUpdated: TimeInterval?) {
        let base = Date(timeIntervalSince1970: 0)
        var health = ProxyHealth(timeout: .seconds(60))
        for step in steps {
            switch step {
            case .queued(let t): health.queued(at: base + t)
            case .updated(let t): health.updated(at: base + t)
            }
        }
        let status = health.status(at: base + at)
        #expect(status.healthy == healthy)
        #expect(status.httpStatus == (healthy ? 200 : 503))
        #expect(status.lastUpdated == lastUpdated.map { base + $0 })
    }

    @Test func neverUpdatedReadsAsGoZeroTime() {
        let status = ProxyHealth(timeout: .seconds(1)).status(at: Date(timeIntervalSince1970: 0))
        #expect(
            status.json == "{\"lastUpdated\": \"0001-01-01T00:00:00Z\", \"currentTime\": \"1970-01-01T00:00:00.000Z\"}")
    }
}
