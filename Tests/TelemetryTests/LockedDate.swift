import Values
import Foundation

/// A date a test moves by hand, read from the server's event loop.
final class LockedDate: Sendable {
    private let date: Locked<Date>

    init(_ date: Date) { self.date = Locked(date) }

    var value: Date {
        get { date.withLock { $0 } }
        set { date.withLock { $0 = newValue } }
    }
}
