import Foundation

/// `ipvs-proxy run` as a long-running child process of a lab test, logging to a file.
final class ProxyProcess {
    let process = Process()
    let log: URL

    /// `environment` is added to (and overrides) this process's environment.
    init(arguments: [String], environment: [String: String] = [:]) throws {
        log = URL(fileURLWithPath: "/tmp/proxylab-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: try PodsLabTests.ipvsProxyBinary())
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let handle = try FileHandle(forWritingTo: log)
        try handle.seekToEnd()
        process.standardError = handle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
    }

    /// What it has logged so far.
    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Sends SIGTERM and waits; returns the exit status.
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
