import Foundation
import Proxy
import Testing

/// kube-proxy's health rules (pkg/proxy/healthcheck/proxy_health.go): healthy while starting, unhealthy only when
/// a queued change has waited the timeout or longer; /healthz also needs an eligible node, /livez does not.
@Suite struct ProxyHealthTests {
    enum Step { case queued(TimeInterval), updated(TimeInterval) }

    static let base = Date(timeIntervalSince1970: 0)

    func health(_ steps: [Step], timeout: Duration = .seconds(60)) -> ProxyHealth {
        var health = ProxyHealth(timeout: timeout)
        for step in steps {
            switch step {
            case .queued(let t): health.queued(at: Self.base + t)
            case .updated(let t): health.updated(at: Self.base + t)
            }
        }
        return health
    }

    @Test(
        arguments: [
            ([], 1000.0, true, nil, "nothing happened"),
            ([.queued(0)], 1000.0, true, nil, "starting: never updated, healthy whatever is queued"),
            ([.updated(0), .queued(0)], 59.0, true, 0.0, "pending, not late yet"),
            ([.updated(0), .queued(0)], 60.0, false, 0.0, "pending for the whole timeout"),
            ([.updated(0), .queued(0), .queued(50)], 61.0, false, 0.0, "the oldest pending change counts"),
            ([.updated(0), .queued(1), .updated(10)], 1000.0, true, 10.0, "an update clears what was pending"),
            ([.updated(0), .queued(1), .updated(10), .queued(20)], 79.0, true, 10.0, "a new change, not late"),
            ([.updated(0), .queued(1), .updated(10), .queued(20)], 80.0, false, 10.0, "a new change, late"),
            ([.updated(5)], 1000.0, true, 5.0, "updated and nothing queued: healthy forever"),
        ] as [([Step], TimeInterval, Bool, TimeInterval?, String)])
    func rule(steps: [Step], at: TimeInterval, healthy: Bool, lastUpdated: TimeInterval?, why: String) {
        let health = health(steps)
        let status = health.status(at: Self.base + at)
        #expect(status.healthy == healthy, "\(why)")
        #expect(status.httpStatus == (healthy ? 200 : 503), "\(why)")
        #expect(status.lastUpdated == lastUpdated.map { Self.base + $0 }, "\(why)")
    }

    @Test(
        arguments: [
            (nil, true, 200, 200, false),
            (true, true, 200, 200, true),
            (false, true, 503, 200, true),
            (true, false, 503, 503, true),
            (false, false, 503, 503, true),
            (nil, false, 503, 503, false),
        ] as [(Bool?, Bool, Int, Int, Bool)])
    func healthzAlsoNeedsAnEligibleNodeLivezDoesNot(
        eligible: Bool?, proxyHealthy: Bool, healthz: Int, livez: Int, reported: Bool
    ) {
        var health = health(proxyHealthy ? [.updated(0)] : [.updated(0), .queued(0)])
        health.nodeEligible = eligible
        let readiness = health.status(at: Self.base + 100, for: .healthz)
        let liveness = health.status(at: Self.base + 100, for: .livez)
        #expect(readiness.httpStatus == healthz)
        #expect(liveness.httpStatus == livez)
        #expect(readiness.json.contains("\"nodeEligible\"") == reported, "\(readiness.json)")
        #expect(!liveness.json.contains("nodeEligible"), "only /healthz reports the node: \(liveness.json)")
        #expect(readiness.json.hasSuffix("\"healthy\": \(proxyHealthy)}"), "\(readiness.json)")
    }

    @Test(
        arguments: [
            (false, [], true),
            (false, ["node.kubernetes.io/unschedulable"], true),
            (true, [], false),
            (false, ["ToBeDeletedByClusterAutoscaler"], false),
        ] as [(Bool, [String], Bool)])
    func aNodeBeingDeletedIsNotEligible(beingDeleted: Bool, taints: [String], eligible: Bool) {
        #expect(ProxyHealth.isEligible(beingDeleted: beingDeleted, taintKeys: taints) == eligible)
    }

    /// As kube-proxy: a 200 answer reports lastUpdated as now (older releases' meaning), a 503 the real time.
    @Test func theBodyIsKubeProxys() {
        let ok = health([.updated(10)]).status(at: Self.base + 20, for: .livez)
        #expect(
            ok.json == "{\"lastUpdated\": \"1970-01-01T00:00:20.000Z\", \"currentTime\": \"1970-01-01T00:00:20.000Z\", "
                + "\"healthy\": true}")
        let late = health([.updated(10), .queued(11)]).status(at: Self.base + 100, for: .livez)
        #expect(
            late.json
                == "{\"lastUpdated\": \"1970-01-01T00:00:10.000Z\", \"currentTime\": \"1970-01-01T00:01:40.000Z\", "
                + "\"healthy\": false}")
        var ineligible = health([.updated(10)])
        ineligible.nodeEligible = false
        #expect(
            ineligible.status(at: Self.base + 20, for: .healthz).json
                == "{\"lastUpdated\": \"1970-01-01T00:00:10.000Z\", \"currentTime\": \"1970-01-01T00:00:20.000Z\", "
                + "\"nodeEligible\": false, \"healthy\": true}")
    }

    /// Times are RFC 3339 in UTC with milliseconds, cut rather than rounded (as Go's formatting never rounds a time
    /// up into the next second), across a leap day and before 1970.
    @Test(
        arguments: [
            (1_700_000_000.123456, "2023-11-14T22:13:20.123Z"),
            (1_700_000_059.9999, "2023-11-14T22:14:19.999Z"),
            (951_782_400.25, "2000-02-29T00:00:00.250Z"),
            (-1.5, "1969-12-31T23:59:58.500Z"),
        ] as [(TimeInterval, String)])
    func timesAreRFC3339InUTC(seconds: TimeInterval, text: String) {
        let status = ProxyHealthStatus(
            healthy: false, lastUpdated: Date(timeIntervalSince1970: seconds), currentTime: Self.base)
        #expect(status.json.hasPrefix("{\"lastUpdated\": \"\(text)\", "), "\(status.json)")
    }

    /// The recorder queues nothing until the source has delivered its initial state (kube-proxy's proxier calls
    /// QueuedUpdate only once initialized), so a source that never syncs leaves the proxy healthy.
    @Test func changesBeforeTheInitialStateAreNotQueued() {
        let recorder = ProxyHealthRecorder(timeout: .seconds(60))
        recorder.started(at: Self.base)
        recorder.queued(at: Self.base + 1)
        #expect(recorder.status(at: Self.base + 3600).healthy, "still starting")
        recorder.initialized()
        recorder.queued(at: Self.base + 3600)
        #expect(recorder.status(at: Self.base + 3659).healthy)
        #expect(!recorder.status(at: Self.base + 3660).healthy)
        #expect(recorder.status(at: Self.base + 3660, for: .healthz).httpStatus == 503)
    }
}
