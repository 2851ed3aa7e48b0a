import Health
import Testing

@Suite("Rise/fall state machine")
struct RiseFallStateTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var start: HealthStatus
        var rise: Int
        var fall: Int
        /// Probe results: "+" success, "-" failure.
        var results: String
        /// The transitions expected after each result: "." none, "u" up, "d" down.
        var expected: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "up stays up on successes", start: .up, rise: 2, fall: 3, results: "++++", expected: "...."),
        Case(name: "fall failures take it down", start: .up, rise: 2, fall: 3, results: "---", expected: "..d"),
        Case(name: "a success resets the fall streak", start: .up, rise: 2, fall: 3, results: "--+---", expected: ".....d"),
        Case(name: "down stays down on failures", start: .down, rise: 2, fall: 3, results: "----", expected: "...."),
        Case(name: "rise successes bring it up", start: .down, rise: 2, fall: 3, results: "++", expected: ".u"),
        Case(name: "a failure resets the rise streak", start: .down, rise: 2, fall: 3, results: "+-++", expected: "...u"),
        Case(name: "fall 1 and rise 1 follow every change", start: .up, rise: 1, fall: 1, results: "-+-+", expected: "dudu"),
        Case(name: "down then up then down again", start: .up, rise: 2, fall: 2, results: "--++--", expected: ".d.u.d"),
        Case(name: "zero rise and fall act as one", start: .up, rise: 0, fall: 0, results: "-+", expected: "du"),
    ]

    @Test(arguments: cases)
    func transitions(_ test: Case) {
        var state = RiseFallState(status: test.start)
        var seen = ""
        for result in test.results {
            switch state.record(success: result == "+", rise: test.rise, fall: test.fall) {
            case nil: seen += "."
            case .up: seen += "u"
            case .down: seen += "d"
            }
        }
        #expect(seen == test.expected)
        let last = test.expected.last { $0 != "." }
        if let last { #expect(state.status == (last == "u" ? .up : .down)) } else { #expect(state.status == test.start) }
    }

    @Test func newStateIsUpWithNoStreak() {
        let state = RiseFallState()
        #expect(state.status == .up)
        #expect(state.streak == 0)
    }
}
