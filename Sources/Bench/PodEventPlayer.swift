import Logging
import Pods
import Values

/// Plays a scenario's pod events during a run, and afterwards puts every pod back as it started.
struct PodEventPlayer {
    let scenario: BenchScenario
    let logger: Logger

    /// Applies each event at its offset from `start`, skipping those after `end` or once `interruption` is set.
    func play(
        on network: PodNetwork, from start: ContinuousClock.Instant, until end: ContinuousClock.Instant,
        interruption: BenchInterruption
    ) async {
        var network = network
        for event in scenario.events {
            let when = start + event.at
            guard when < end else { return }
            while ContinuousClock.now < when {
                if interruption.isRequested { return }
                try? await Task.sleep(for: min(.milliseconds(100), when - ContinuousClock.now))
            }
            let name = BenchScenario.podName(event.pod)
            do {
                switch event.action {
                case .stop: try await network.stop(name)
                case .start: try await network.start(name)
                case .pause: try await network.pause(name)
                case .resume: try await network.resume(name)
                case .delay(let delay): try await network.setDelay(name, delay)
                }
                logger.info("bench event", metadata: ["pod": "\(name)", "event": "\(Self.describe(event))"])
            } catch {
                logger.warning("bench event failed", metadata: ["pod": "\(name)", "error": "\(error)"])
            }
        }
    }

    /// Starts stopped pods, resumes paused ones and restores changed delays.
    func restore(_ network: inout PodNetwork) async throws(BenchError) {
        guard !scenario.events.isEmpty else { return }
        do {
            for status in network.status() {
                switch status.server {
                case .paused: try await network.resume(status.spec.name)
                case .stopped: try await network.start(status.spec.name)
                case .running: break
                }
            }
            for event in scenario.events {
                guard case .delay = event.action else { continue }
                try await network.setDelay(BenchScenario.podName(event.pod), scenario.pods[event.pod].delay)
            }
        } catch {
            throw BenchError(.setup, "cannot put the pods back after a run", cause: error)
        }
    }

    /// "at 3s pod-1: stop" / "at 3s pod-1: delay exp:100ms".
    static func describe(_ event: PodEvent) -> String {
        let action: String
        switch event.action {
        case .stop: action = "stop (connections refused)"
        case .start: action = "start"
        case .pause: action = "pause (connections hang)"
        case .resume: action = "resume"
        case .delay(let delay): action = "delay becomes \(delay)"
        }
        return "at \(GoDuration.format(event.at)) \(BenchScenario.podName(event.pod)): \(action)"
    }
}
