import Foundation
import Logging
import Values

extension PodNetwork {
    /// Every pod and whether its server runs, is paused or is stopped.
    public func status() -> [PodStatus] {
        layout.pods.map { planned in
            var pod = planned
            pod.delay = state.delayChanges[pod.name] ?? pod.delay
            guard let process = PodProcess.find(pidFile: layout.pidFile(pod), podName: pod.name) else {
                return PodStatus(spec: pod, server: .stopped, pid: nil)
            }
            return PodStatus(spec: pod, server: process.state == .stopped ? .paused : .running, pid: process.pid)
        }
    }

    /// Stops a pod's server (SIGTERM, then SIGKILL if it lingers): its ports refuse connections. Stopping a
    /// stopped pod does nothing.
    public func stop(_ name: String) async throws(PodsError) {
        let pod = try self.pod(name)
        guard let process = PodProcess.find(pidFile: layout.pidFile(pod), podName: pod.name) else { return }
        try process.send(SIGTERM)
        try? process.send(SIGCONT)  // A paused server must run to handle SIGTERM.
        if await !process.wait(until: .gone, timeout: .seconds(10)) {
            logger.warning("pod server ignored SIGTERM, killing it", metadata: ["pod": "\(name)"])
            try process.send(SIGKILL)
            _ = await process.wait(until: .gone, timeout: .seconds(10))
        }
        try? FileManager.default.removeItem(atPath: layout.pidFile(pod))
        logger.info("pod stopped", metadata: ["pod": "\(name)"])
    }

    /// Starts a stopped pod's server again and waits until it answers. Starting a running pod does nothing.
    public func start(_ name: String) async throws(PodsError) {
        let pod = try self.pod(name)
        guard PodProcess.find(pidFile: layout.pidFile(pod), podName: pod.name) == nil else { return }
        let pid = try spawnServer(pod)
        try await waitUntilServing(pod, spawnedPid: pid)
        logger.info("pod started", metadata: ["pod": "\(name)"])
    }

    /// Freezes a pod's server (SIGSTOP): the kernel still accepts its TCP connections, but nothing answers.
    public func pause(_ name: String) async throws(PodsError) {
        let process = try runningProcess(name)
        try process.send(SIGSTOP)
        guard await process.wait(until: .stopped, timeout: .seconds(10)) else {
            throw PodsError(.systemCall, "the server of \(name) did not stop on SIGSTOP")
        }
        logger.info("pod paused", metadata: ["pod": "\(name)"])
    }

    /// Lets a paused pod's server run again (SIGCONT).
    public func resume(_ name: String) async throws(PodsError) {
        let process = try runningProcess(name)
        try process.send(SIGCONT)
        guard await process.wait(until: .alive, timeout: .seconds(10)) else {
            throw PodsError(.systemCall, "the server of \(name) did not resume on SIGCONT")
        }
        logger.info("pod resumed", metadata: ["pod": "\(name)"])
    }

    /// Changes a pod's response delay: a running server has applied it when this returns (through its delay
    /// file and SIGUSR1), a paused one applies it when resumed, and a restarted one keeps it. For a pod that
    /// slows down, or recovers, midway.
    public mutating func setDelay(_ name: String, _ delay: DelayDistribution) async throws(PodsError) {
        let pod = try self.pod(name)
        state.delayChanges[name] = delay
        try state.save()
        let file = layout.delayFile(pod)
        do {
            try Data((delay.description + "\n").utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
        } catch {
            throw PodsError(.file, "could not write the delay file \(file)", cause: error)
        }
        // Only a server that has written its pid file has its SIGUSR1 handler (a starting one reads the new
        // delay from its command line: `spawnServer` applies the change).
        let acknowledgement = file + ".applied"
        try? FileManager.default.removeItem(atPath: acknowledgement)
        if let process = PodProcess.recorded(pidFile: layout.pidFile(pod), podName: name) {
            try process.send(SIGUSR1)
            // A paused server applies it when resumed; a running one acknowledges before this returns.
            if process.state == .alive {
                let deadline = ContinuousClock.now + layout.options.readinessTimeout
                while (try? String(contentsOfFile: acknowledgement, encoding: .utf8)) != delay.description + "\n" {
                    guard ContinuousClock.now < deadline else {
                        throw PodsError(.serverNotReady, "the server of \(name) did not apply the delay")
                    }
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
        }
        logger.info("pod delay changed", metadata: ["pod": "\(name)", "delay": "\(delay)"])
    }

    private func pod(_ name: String) throws(PodsError) -> PodSpec {
        guard let pod = layout.pod(named: name) else {
            let names = layout.pods.map(\.name).joined(separator: ", ")
            throw PodsError(.unknownPod, "no pod named '\(name)' (the pods are \(names))")
        }
        return pod
    }

    private func runningProcess(_ name: String) throws(PodsError) -> PodProcess {
        let pod = try self.pod(name)
        guard let process = PodProcess.find(pidFile: layout.pidFile(pod), podName: pod.name) else {
            throw PodsError(.serverNotReady, "the server of \(name) is not running")
        }
        return process
    }

    /// Starts a pod's server in its namespace, detached, logging to its log file; returns the process id.
    func spawnServer(_ planned: PodSpec) throws(PodsError) -> Int32 {
        var pod = planned
        pod.delay = state.delayChanges[pod.name] ?? pod.delay
        try? FileManager.default.removeItem(atPath: layout.pidFile(pod))
        let command = layout.serveCommand(pod, executable: state.executable)
        logger.debug("starting pod server", metadata: ["pod": "\(pod.name)", "command": "\(command)"])
        return try runner.spawn(command, logFile: layout.logFile(pod))
    }

    /// Waits until a pod's server has written its pid file and answers HTTP from the node; fails early, with
    /// the end of its log, if the process exits.
    func waitUntilServing(_ pod: PodSpec, spawnedPid: Int32) async throws(PodsError) {
        let deadline = ContinuousClock.now + layout.options.readinessTimeout
        let probe = PodProbe(timeout: .seconds(1))
        var lastOutcome = "not started"
        while ContinuousClock.now < deadline {
            let server = PodProcess.recorded(pidFile: layout.pidFile(pod), podName: pod.name)
            if server == nil, PodProcess(pid: spawnedPid).state == .gone {
                throw PodsError(.serverNotReady, "the server of \(pod.name) exited while starting (\(logTail(pod)))")
            }
            if server != nil {
                let outcome = await probe.http(host: "\(pod.address)", port: pod.httpPort)
                if outcome.value?.first?.pod == pod.name { return }
                lastOutcome = "\(outcome)"
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        throw PodsError(
            .serverNotReady,
            "the server of \(pod.name) did not answer at \(pod.address):\(pod.httpPort) within "
                + "\(GoDuration.format(layout.options.readinessTimeout)) (last probe: \(lastOutcome); \(logTail(pod)))")
    }

    /// The end of a pod's server log: "FILE ends: LINE | LINE".
    private func logTail(_ pod: PodSpec) -> String {
        let text = (try? String(contentsOfFile: layout.logFile(pod), encoding: .utf8)) ?? ""
        return "\(layout.logFile(pod)) ends: " + text.split(separator: "\n").suffix(5).joined(separator: " | ")
    }
}
