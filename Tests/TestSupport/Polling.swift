/// Polls a condition every few milliseconds, giving up after a safety limit (the caller's expectations then fail
/// with a clear message). No speed is asserted: the limit only keeps a broken test from hanging.
public func waitFor(limit: Duration = .seconds(10), _ condition: () -> Bool) async {
    let deadline = ContinuousClock.now + limit
    while !condition() && ContinuousClock.now < deadline {
        try? await Task.sleep(for: .milliseconds(5))
    }
}
