import Foundation
import TestSupport
import Testing

@testable import Pods

@Suite struct CommandRunnerTests {
    @Test func runsAndCapturesOutput() throws {
        #expect(try CommandRunner().run(["echo", "hello", "pods"]) == "hello pods\n")
        #expect(CommandRunner().succeeds(["true"]))
        #expect(!CommandRunner().succeeds(["false"]))
    }

    @Test func failureCarriesStatusAndStderr() {
        #expect {
            try CommandRunner().run(["sh", "-c", "echo oops >&2; exit 3"])
        } throws: { error in
            guard let error = error as? PodsError, error.code == .commandFailed,
                let failure = error.cause as? CommandFailure
            else { return false }
            return failure.arguments.first == "sh" && failure.status == 3 && failure.stderr == "oops\n"
                && "\(error)".hasSuffix("`sh -c echo oops >&2; exit 3` exited with 3: oops)")
        }
    }

    @Test func unknownCommand() {
        #expect(throws: PodsError.self) { try CommandRunner().run(["no-such-command-for-pods-tests"]) }
    }

    /// A spawned process is seen alive, stopped by SIGSTOP, alive again after SIGCONT, and gone after SIGTERM.
    @Test func processStates() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("pods-test-\(getpid()).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let pid = try CommandRunner().spawn(["sh", "-c", "echo started; exec sleep 30"], logFile: log)
        let process = PodProcess(pid: pid)
        #expect(await process.wait(until: .alive, timeout: .seconds(5)))
        // Its output goes to the log (wait for it, so that the signals below find it past `echo`).
        let deadline = ContinuousClock.now + .seconds(5)
        while (try? String(contentsOfFile: log, encoding: .utf8)) != "started\n", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "started\n")
        #expect(!process.isServer(of: "pod-0"))
        try process.send(SIGSTOP)
        #expect(await process.wait(until: .stopped, timeout: .seconds(5)))
        try process.send(SIGCONT)
        #expect(await process.wait(until: .alive, timeout: .seconds(5)))
        try process.send(SIGTERM)
        #expect(await process.wait(until: .gone, timeout: .seconds(5)))
    }

    @Test func findIgnoresStaleOrForeignPidFiles() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pods-test-\(getpid()).pid").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "\(getpid())\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(PodProcess.find(pidFile: file, podName: "pod-0") == nil)  // alive, but not a pod server
        #expect(PodProcess.find(pidFile: file + ".missing", podName: "pod-0") == nil)
    }

    /// A server not yet recorded in its pid file is still found, by its command line, so `stop` and `down` can
    /// end a server that is starting.
    @Test func findFallsBackToTheCommandLine() async throws {
        let directory = FileManager.default.temporaryDirectory.path
        let pidFile = directory + "/pods-test-\(getpid())-fallback.pid"
        let log = directory + "/pods-test-\(getpid())-fallback.log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let arguments = ["sh", "-c", "sleep 30; true", "pods", "serve", "--name", "pod-t", "--pid-file", pidFile]
        let pid = try CommandRunner().spawn(arguments, logFile: log)
        let process = PodProcess(pid: pid)
        #expect(await process.wait(until: .alive, timeout: .seconds(5)))
        #expect(PodProcess.recorded(pidFile: pidFile, podName: "pod-t") == nil)
        // Alive is not yet exec'd: until then /proc/PID/cmdline is the test runner's (seen failing once on a
        // loaded host), so wait for the command line to be the one spawned.
        await waitFor { PodProcess.find(pidFile: pidFile, podName: "pod-t") != nil }
        #expect(PodProcess.find(pidFile: pidFile, podName: "pod-t")?.pid == pid)
        #expect(PodProcess.find(pidFile: pidFile, podName: "pod-u") == nil)
        #expect(PodProcess.find(pidFile: pidFile + ".other", podName: "pod-t") == nil)
        try "\(pid)\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        #expect(PodProcess.recorded(pidFile: pidFile, podName: "pod-t")?.pid == pid)
        // Kill its whole session (spawn made it a session leader): `sh` forks for `sleep`, and until that child
        // has exec'd it carries the same command line, so killing `sh` alone could leave a second match behind
        // on a loaded machine (the likeliest cause of one CI failure in this suite).
        #expect(kill(-pid, SIGKILL) == 0)
        #expect(await process.wait(until: .gone, timeout: .seconds(5)))
        let deadline = ContinuousClock.now + .seconds(5)
        while PodProcess.find(pidFile: pidFile, podName: "pod-t") != nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(PodProcess.find(pidFile: pidFile, podName: "pod-t") == nil)
    }
}
