#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The process's limit on open descriptors (`RLIMIT_NOFILE`). Health probes in flight hold one each (up to probes
/// per second x timeout), so the proxy raises the soft limit to the hard one at start, as Go's runtime does for
/// kube-proxy.
public enum OpenFileLimit {
    /// The soft and hard limits, or nil when they cannot be read.
    public static func current() -> (soft: UInt64, hard: UInt64)? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }

    /// Raises the soft limit to the hard one (nothing when they are equal). Returns the soft limit before and after,
    /// or nil when the limits cannot be read or set. An unlimited hard limit is not a valid soft one for this
    /// resource (`RLIM_INFINITY`, all ones): then it is left as it is.
    @discardableResult
    public static func raiseSoftToHard() -> (before: UInt64, after: UInt64)? {
        guard let (soft, hard) = current() else { return nil }
        guard soft < hard, hard != UInt64(rlim_t.max) else { return (soft, soft) }
        var limit = rlimit(rlim_cur: rlim_t(hard), rlim_max: rlim_t(hard))
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return (soft, hard)
    }
}
