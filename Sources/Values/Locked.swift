import Synchronization

/// A value behind a lock: the standard library's `Mutex`, which ThreadSanitizer can also see.
///
/// On Linux, `Mutex` waits on a futex the sanitizer does not intercept, so every access made under it from two threads
/// is reported as a race. Built with `-DTSAN` (the ThreadSanitizer pass of `scripts/test`), each critical section
/// also tells the sanitizer that it acquires and releases the lock (`__tsan_acquire`, `__tsan_release` on the
/// lock's address); otherwise it is exactly `Mutex`, at the same cost. Use it wherever the project needs a lock.
public struct Locked<Value: ~Copyable>: ~Copyable, Sendable {
    private let mutex: Mutex<Value>

    /// A lock holding `value`.
    public init(_ value: consuming sending Value) { mutex = Mutex(value) }

    /// Runs `body` with the value, under the lock.
    public borrowing func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        #if TSAN
            // The lock's own address names it to the sanitizer (a ~Copyable value is borrowed in place).
            let address = withUnsafePointer(to: mutex) { UnsafeRawPointer($0) }
            return try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
                tsanAcquire(address)
                defer { tsanRelease(address) }
                return try body(&value)
            }
        #else
            return try mutex.withLock(body)
        #endif
    }
}

#if TSAN
    @_extern(c, "__tsan_acquire") private func tsanAcquire(_ address: UnsafeRawPointer)
    @_extern(c, "__tsan_release") private func tsanRelease(_ address: UnsafeRawPointer)
#endif
