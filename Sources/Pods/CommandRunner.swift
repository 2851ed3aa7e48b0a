import Foundation
import Values

/// Runs external commands (`ip`, the pods' servers) with `posix_spawn`.
///
/// Not Foundation's `Process`: its children inherit the calling thread's blocked signals (Swift's concurrency
/// threads block nearly all of them, so a server could not be stopped with SIGTERM), and its exit monitoring
/// was seen to miss a child's exit and hang `waitUntilExit` for ever. Here every child starts with no signal
/// blocked and default signal actions, and `run` waits for its own child with `waitpid`.
public struct CommandRunner: Sendable {
    /// Where commands are looked up besides `$PATH` (`ip` lives in an sbin directory on some systems).
    static let extraSearchPath = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]

    /// glibc's `POSIX_SPAWN_SETSID` (Swift does not see it: it is declared only under `_GNU_SOURCE`).
    private static let spawnSetSID: Int16 = 0x80

    /// Makes a runner.
    public init() {}

    /// Runs `arguments` (the first is the command, found in `$PATH` or an sbin directory), waits for it, and
    /// returns what it printed on stdout. A non-zero exit status throws, with the command's stderr as cause.
    @discardableResult
    public func run(_ arguments: [String]) throws(PodsError) -> String {
        let scratch = FileManager.default.temporaryDirectory.path + "/ipvs-proxy-pods-\(UUID().uuidString)"
        let outputFile = scratch + ".out"
        let errorFile = scratch + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: outputFile)
            try? FileManager.default.removeItem(atPath: errorFile)
        }
        let pid = try spawn(arguments, stdout: outputFile, stderr: errorFile, newSession: false)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else {
                throw PodsError(.systemCall, "waitpid(\(pid)) failed for \(arguments[0])", cause: OSError.errno(errno))
            }
        }
        let printed = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
        // Exited normally with status 0? (WIFEXITED and WEXITSTATUS, which Swift does not import.)
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        guard exitStatus == 0 else {
            let complaint = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
            throw PodsError(
                .commandFailed, "command failed: \(arguments[0])",
                cause: CommandFailure(arguments: arguments, status: exitStatus, stderr: complaint))
        }
        return printed
    }

    /// Whether `arguments` runs and exits with status 0 (its output is discarded).
    public func succeeds(_ arguments: [String]) -> Bool {
        (try? run(arguments)) != nil
    }

    /// Starts `arguments` without waiting for it, detached in a session of its own, with stdin from /dev/null and
    /// stdout and stderr appended to `logFile`. Returns the process id. The caller's other descriptors are
    /// inherited unless marked close-on-exec (Foundation, NIO and Dispatch mark theirs).
    public func spawn(_ arguments: [String], logFile: String) throws(PodsError) -> Int32 {
        try spawn(arguments, stdout: logFile, stderr: nil, newSession: true)
    }

    /// Starts `arguments` with no signal blocked and default signal actions; stdout appended to `stdout`, stderr
    /// to `stderr` (or to the same file when `nil`).
    private func spawn(
        _ arguments: [String], stdout: String, stderr: String?, newSession: Bool
    ) throws(PodsError) -> Int32 {
        guard let command = arguments.first else {
            throw PodsError(.invalidArgument, "no command to run")
        }
        let path = try Self.locate(command)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        let flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | (newSession ? Self.spawnSetSID : 0)
        posix_spawnattr_setflags(&attributes, flags)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let append = O_WRONLY | O_CREAT | O_APPEND
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, append, 0o644)
        if let stderr {
            posix_spawn_file_actions_addopen(&actions, 2, stderr, append, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard status == 0 else {
            throw PodsError(.systemCall, "could not start \(path)", cause: OSError.errno(status))
        }
        return pid
    }

    /// The absolute path of `command`: itself if it contains a slash, else the first match in `$PATH` or an sbin
    /// directory.
    static func locate(_ command: String) throws(PodsError) -> String {
        if command.contains("/") { return command }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in path + extraSearchPath {
            let candidate = directory + "/" + command
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw PodsError(.commandFailed, "command not found: \(command) (is iproute2 installed?)")
    }
}
