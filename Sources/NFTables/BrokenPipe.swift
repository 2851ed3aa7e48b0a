#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The process's answer to a write on a pipe whose reader has gone.
public enum BrokenPipe {
    /// Ignores SIGPIPE for the whole process, so that such a write fails with EPIPE (an error the writer
    /// handles) instead of killing the process. The proxy calls it first thing: a reader that has gone (a closed
    /// standard error, a peer that hung up) must not take the proxy with it.
    public static func ignore() {
        _ = signal(SIGPIPE, SIG_IGN)
    }

    /// True when SIGPIPE is ignored.
    public static var isIgnored: Bool {
        var current = sigaction()
        guard sigaction(SIGPIPE, nil, &current) == 0 else { return false }
        // Function pointers do not compare; their addresses do.
        let handler = unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
        return handler == unsafeBitCast(SIG_IGN, to: Int.self)
    }
}
