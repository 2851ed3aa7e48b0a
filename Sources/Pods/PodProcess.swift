import Foundation
import Values

/// A pod server process, found by its pid file: its state from `/proc`, and signals. Before signalling, it
/// checks that the pid still belongs to that pod's server (pids are reused).
struct PodProcess {
    /// What `/proc/PID/stat` says about a process.
    enum State: Equatable {
        /// Running or sleeping.
        case alive
        /// Stopped by SIGSTOP.
        case stopped
        /// Exited (a zombie counts as exited), or not there at all.
        case gone
    }

    let pid: Int32

    /// The running (or paused) server of `podName` that writes `pidFile`: the one the pid file names, else (the
    /// file is not written yet while a server starts, or is stale) the process whose command line names both,
    /// found in `/proc`.
    static func find(pidFile: String, podName: String) -> PodProcess? {
        if let recorded = recorded(pidFile: pidFile, podName: podName) { return recorded }
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        return pids.map(PodProcess.init).first { $0.isServer(of: podName, pidFile: pidFile) && $0.state != .gone }
    }

    /// The server that `pidFile` names, if it runs (or is paused) and is `podName`'s. A server writes its pid
    /// file once it serves, so this one has its signal handlers in place.
    static func recorded(pidFile: String, podName: String) -> PodProcess? {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else { return nil }
        let process = PodProcess(pid: pid)
        guard process.state != .gone, process.isServer(of: podName, pidFile: pidFile) else { return nil }
        return process
    }

    /// The process's state now.
    var state: State {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let closing = stat.lastIndex(of: ")")
        else { return .gone }
        // After "pid (comm)" comes a space, then the state letter.
        let letter = stat[closing...].dropFirst().drop(while: { $0 == " " }).first
        switch letter {
        case "T", "t": return .stopped
        case "Z", "X", "x", nil:
            // Reap it if it is our child (a fixture running in-process spawned it); harmless otherwise.
            _ = waitpid(pid, nil, WNOHANG)
            return .gone
        default: return .alive
        }
    }

    /// Whether the process's command line is `... pods serve ... --name NAME ...` (and `--pid-file PIDFILE`, when
    /// given).
    func isServer(of podName: String, pidFile: String? = nil) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let pairs = Array(zip(words, words.dropFirst()))
        return pairs.contains { $0 == "pods" && $1 == "serve" } && pairs.contains { $0 == "--name" && $1 == podName }
            && (pidFile.map { file in pairs.contains { $0 == "--pid-file" && $1 == file } } ?? true)
    }

    /// Sends `signal`.
    func send(_ signal: Int32) throws(PodsError) {
        guard kill(pid, signal) == 0 else {
            throw PodsError(.systemCall, "kill(\(pid), \(signal)) failed", cause: OSError.errno(errno))
        }
    }

    /// Polls until the state is `wanted` or `timeout` has passed; returns whether it got there.
    func wait(until wanted: State, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if state == wanted { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return state == wanted
    }
}
