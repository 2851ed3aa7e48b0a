/// The EndpointSlice controller's trigger time (`endpoints.kubernetes.io/last-change-trigger-time`): Go's
/// `time.RFC3339Nano` in UTC, such as `2026-12-02T12:05:54.123456789Z`, or whole seconds.
///
/// Read by hand: every EndpointSlice carries one, and Foundation's `ISO8601DateFormatter` (an ICU formatter built
/// per call, as it is not thread-safe) cost more than the rest of the slice's decoding. Strict RFC 3339, as Go
/// parses it: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of any length, then `Z` or `±HH:MM`; a date that does
/// not exist (February 30) or a field out of range is no time.
public enum TriggerTime {
    /// The time as Unix seconds, or nil when the text is no RFC 3339 time.
    public static func parse(_ text: String) -> Double? {
        var reader = Reader(bytes: Array(text.utf8))
        guard let year = reader.number(4), reader.skip("-"), let month = reader.number(2), reader.skip("-"),
            let day = reader.number(2), reader.skip("T"), let hour = reader.number(2), reader.skip(":"),
            let minute = reader.number(2), reader.skip(":"), let second = reader.number(2)
        else { return nil }
        guard (1...12).contains(month), (1...daysIn(month, of: year)).contains(day), hour < 24, minute < 60,
            second < 60
        else { return nil }
        var fraction = 0.0
        if reader.skip(".") {
            guard let value = reader.fraction() else { return nil }
            fraction = value
        }
        var offset = 0
        if !reader.skip("Z") {
            guard let sign = reader.sign(), let hours = reader.number(2), reader.skip(":"),
                let minutes = reader.number(2), hours < 24, minutes < 60
            else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard reader.atEnd else { return nil }
        let seconds = daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
        return Double(seconds - offset) + fraction
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysIn(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// A cursor over the text's bytes.
    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        /// Exactly `count` decimal digits.
        mutating func number(_ count: Int) -> Int? {
            guard bytes.count - index >= count else { return nil }
            var value = 0
            for _ in 0..<count {
                guard let digit = digit(bytes[index]) else { return nil }
                value = value * 10 + digit
                index += 1
            }
            return value
        }

        /// One or more digits after the point, as a fraction of a second (digits past the 18th do not count).
        mutating func fraction() -> Double? {
            var (value, scale, digits) = (0, 1, 0)
            while index < bytes.count, let digit = digit(bytes[index]) {
                if digits < 18 {
                    value = value * 10 + digit
                    scale *= 10
                }
                digits += 1
                index += 1
            }
            return digits == 0 ? nil : Double(value) / Double(scale)
        }

        mutating func sign() -> Int? {
            if skip("+") { return 1 }
            if skip("-") { return -1 }
            return nil
        }

        func digit(_ byte: UInt8) -> Int? {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
        }
    }
}
