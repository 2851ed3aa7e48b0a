import Dispatch

/// Polls a condition every few milliseconds, giving up after a safety limit (the caller's expectations then fail
/// with a clear message). No speed is asserted: the limit only keeps a broken test from hanging, so it is far above
/// what any condition needs on a loaded 2-core machine running the whole suite in parallel (10 s was not: a full
/// run at load 14 saw a condition met later than that).
public func waitFor(limit: Duration = .seconds(60), _ condition: () -> Bool) async {
    let deadline = ContinuousClock.now + limit
    while !condition() && ContinuousClock.now < deadline {
        try? await Task.sleep(for: .milliseconds(5))
    }
}

/// The safety limit of a wait that lasts until the cooperative pool runs some task: on a loaded 2-core machine under
/// ThreadSanitizer the pool gave the tests' tasks no thread for over 30 s, so these waits go far beyond ``waitFor``'s
/// default. Like it, a limit that only keeps a broken test from hanging, never a speed.
public let starvedPoolLimit = Duration.seconds(120)

extension DispatchTime {
    /// ``starvedPoolLimit`` from now, for a semaphore's wait.
    public static var starvedPoolDeadline: DispatchTime {
        .now() + .seconds(Int(starvedPoolLimit.components.seconds))
    }
}
