@testable import Health
import NIOCore
import Testing

@Suite("Timing wheel")
struct TimingWheelTests {
    final class Item { let name: String; init(_ name: String) { self.name = name } }

    static let origin = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static func at(_ milliseconds: Int64) -> NIODeadline { origin + .milliseconds(milliseconds) }

    @Test func itemsComeOutWhenDueInOrderAndNotBefore() {
        var wheel = TimingWheel<Item>(tick: .milliseconds(10), slots: 8)
        wheel.start(at: Self.at(0))
        wheel.insert(Item("b"), at: Self.at(35))
        wheel.insert(Item("a"), at: Self.at(15))
        wheel.insert(Item("late"), at: Self.at(200))  // more than one revolution (80 ms) ahead
        wheel.insert(Item("past"), at: Self.at(-50))  // already due: next tick
        #expect(wheel.due(now: Self.at(5)).map(\.name) == [])
        #expect(wheel.due(now: Self.at(12)).map(\.name) == ["a", "past"], "same tick: filing order")
        #expect(wheel.due(now: Self.at(39)).map(\.name) == ["b"])
        #expect(wheel.due(now: Self.at(120)).map(\.name) == [], "a later round waits")
        #expect(wheel.due(now: Self.at(205)).map(\.name) == ["late"])
        #expect(wheel.due(now: Self.at(205)).map(\.name) == [])
    }

    @Test func aStallLongerThanARevolutionLosesNothing() {
        var wheel = TimingWheel<Item>(tick: .milliseconds(10), slots: 4)
        wheel.start(at: Self.at(0))
        for index in 1...10 { wheel.insert(Item("\(index)"), at: Self.at(Int64(index) * 10)) }
        let due = wheel.due(now: Self.at(1000)).map(\.name)
        #expect(Set(due) == Set((1...10).map { "\($0)" }))
        #expect(due.count == 10)
    }
}
