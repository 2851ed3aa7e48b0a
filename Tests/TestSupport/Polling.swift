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
