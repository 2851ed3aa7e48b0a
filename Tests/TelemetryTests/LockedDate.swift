import Foundation
import Synchronization

/// A date a test moves by hand, read from the server's event loop.
final class LockedDate: Sendable {
    private let date: Mutex<Date>

    init(_ date: Date) { self.date = Mutex(date) }

    var value: Date {
        get { date.withLock { $0 } }
        set { date.withLock { $0 = newValue } }
    }
}
