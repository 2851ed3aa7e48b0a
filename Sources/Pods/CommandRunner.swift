import Foundation

/// Runs external commands (`ip`, the pods' servers) with Foundation's `Process`.
public struct CommandRunner: Sendable {
    /// Where commands are looked up besides `$PATH` (`ip` lives in an sbin directory on some systems).
    static let extraSearchPath = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]

    /// Makes a runner.
    public init() {}

    /// Runs `arguments` (the first is the command, found in `$PATH` or an sbin directory), waits for it, and
    /// returns what it printed on stdout. A non-zero exit status throws, with the command's stderr as cause.
    @discardableResult
    public func run(_ arguments: [String]) throws(PodsError) -> String {
        let process = try makeProcess(arguments)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw PodsError(.commandFailed, "could not run \(arguments[0])", cause: .underlying("\(error)"))
        }
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complained = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PodsError(
                .commandFailed, "command failed",
                cause: .command(
                    arguments: arguments, status: process.terminationStatus,
                    stderr: String(decoding: complained, as: UTF8.self)))
        }
        return String(decoding: printed, as: UTF8.self)
    }

    /// Whether `arguments` runs and exits with status 0 (its output is discarded).
    public func succeeds(_ arguments: [String]) -> Bool {
        (try? run(arguments)) != nil
    }

    /// glibc's `POSIX_SPAWN_SETSID` (Swift does not see it: it is declared only under `_GNU_SOURCE`).
    private static let spawnSetSID: Int16 = 0x80

    /// Starts `arguments` without waiting for it, detached: in a new session, with every signal unblocked and at
    /// its default action (Foundation's `Process` would pass on the caller's blocked signals, and a server that
    /// blocks SIGTERM cannot be stopped), stdin from /dev/null, stdout and stderr appended to `logFile`. The
    /// caller's other descriptors are inherited unless marked close-on-exec (Foundation, NIO and Dispatch mark
    /// theirs). Returns the process id.
    public func spawn(_ arguments: [String], logFile: String) throws(PodsError) -> Int32 {
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
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | Self.spawnSetSID)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard status == 0 else {
            throw PodsError(.systemCall, "could not start \(path)", cause: .errno(status))
        }
        return pid
    }

    private func makeProcess(_ arguments: [String]) throws(PodsError) -> Process {
        guard let command = arguments.first else {
            throw PodsError(.invalidArgument, "no command to run")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.locate(command))
        process.arguments = Array(arguments.dropFirst())
        return process
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
