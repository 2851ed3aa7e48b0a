import Foundation
import Testing

/// Runs commands (ip, ipvsadm, sysctl) inside the lab and gives back their status and output.
enum LabShell {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    static func run(_ command: String, _ arguments: [String], input: String? = nil) throws -> Output {
        let process = Process()
        let path = ["/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/"].map { $0 + command }
            .first { FileManager.default.isExecutableFile(atPath: $0) } ?? command
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        let inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inPipe.fileHandleForWriting.close()
        // Both pipes are drained at once: a command that fills one while this reads the other would block for ever
        // (a large sync's log on stderr while stdout stays open and empty).
        let errors = DispatchGroup()
        nonisolated(unsafe) var stderr = Data()
        DispatchQueue.global().async(group: errors) { stderr = err.fileHandleForReading.readDataToEndOfFile() }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        errors.wait()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Gives the guest routes for the addresses tests use as real servers (a real server needs a route, and
    /// the node a local address): a dummy `lab0` holding 10.244.0.1/16 and fd00:244::1/64. Idempotent.
    static func prepareNetwork() throws {
        try run("ip", ["link", "set", "lo", "up"])
        if try run("ip", ["link", "show", "lab0"]).status != 0 {
            try run("ip", ["link", "add", "lab0", "type", "dummy"])
            try run("ip", ["link", "set", "lab0", "up"])
            try run("ip", ["addr", "add", "10.244.0.1/16", "dev", "lab0"])
            try run("ip", ["-6", "addr", "add", "fd00:244::1/64", "dev", "lab0", "nodad"])
            try run("ip", ["route", "add", "default", "dev", "lab0"])
            try run("ip", ["-6", "route", "add", "default", "dev", "lab0"])
        }
    }
}
