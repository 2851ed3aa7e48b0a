#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The CPU time (user + system) the calling thread has used: what one reconcile pass, or the prober's loop, costs.
public enum ThreadCPUTime {
    /// The calling thread's CPU time so far; zero where the clock is unavailable.
    public static func now() -> Duration {
        var time = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return .zero }
        return .seconds(Int64(time.tv_sec)) + .nanoseconds(Int64(time.tv_nsec))
    }

    /// The CPU time `thread` has used so far; zero where its clock is unavailable. The thread must not have exited
    /// (its identifier is not valid afterwards): callers keep track of that.
    public static func of(_ thread: pthread_t) -> Duration {
        var clock = clockid_t()
        var time = timespec()
        guard pthread_getcpuclockid(thread, &clock) == 0, clock_gettime(clock, &time) == 0 else { return .zero }
        return .seconds(Int64(time.tv_sec)) + .nanoseconds(Int64(time.tv_nsec))
    }
}
