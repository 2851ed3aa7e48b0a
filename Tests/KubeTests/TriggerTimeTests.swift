import Foundation
import Pods
import Testing

@testable import Kube

/// The EndpointSlice controller's `endpoints.kubernetes.io/last-change-trigger-time` (Go's RFC3339Nano), read into
/// the validated slice for kube-proxy's network-programming latency.
@Suite struct TriggerTimeTests {
    @Test(
        arguments: [
            ("2026-12-02T12:05:54Z", 1_796_213_154.0),
            ("2026-12-02T12:05:54.5Z", 1_796_213_154.5),
            ("2026-12-02T12:05:54.123456789Z", 1_796_213_154.123456789),
            ("2026-12-02T13:05:54.25+01:00", 1_796_213_154.25),
        ])
    func rfc3339TimesAreReadToTheirFraction(_ text: String, _ expected: Double) throws {
        let time = try #require(TriggerTime.parse(text))
        #expect(abs(time - expected) < 1e-6)
    }

    @Test(
        arguments: [
            "", "yesterday", "2026-12-02", "2026-12-02T12:05:54.Z", "12:05:54Z", "2026-12-02T12:05:54",
            "2026-12-02 12:05:54Z", "2026-12-02T12:05:54Zx", "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
            "2026-04-31T00:00:00Z", "2026-12-02T24:00:00Z", "2026-12-02T12:60:00Z", "2026-12-02T12:05:60Z",
            "2026-12-02T12:05:54+0100", "2026-12-02T12:05:54+24:00", "+2026-12-02T12:05:54Z", "2026-1-02T12:05:54Z",
            "２０２６-12-02T12:05:54Z",
        ])
    func otherTextIsNoTime(_ text: String) {
        #expect(TriggerTime.parse(text) == nil)
    }

    /// Against Foundation's own RFC 3339 parser (what this replaced), at random instants from 1900 to 2400, in UTC
    /// and with offsets, and on the days around leap years.
    @Test func agreesWithFoundationsParser() throws {
        var generator = SeededRandomNumberGenerator(seed: 20_261_203)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var texts = ["2024-02-29T23:59:59Z", "2000-02-29T00:00:00Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z"]
        for _ in 0..<2000 {
            let seconds = Double(Int64.random(in: -2_208_988_800...13_569_465_600, using: &generator))
            formatter.timeZone = TimeZone(secondsFromGMT: 60 * 15 * Int.random(in: -48...56, using: &generator))
            texts.append(formatter.string(from: Date(timeIntervalSince1970: seconds)))
        }
        let reference = ISO8601DateFormatter()
        reference.formatOptions = [.withInternetDateTime]
        for text in texts {
            let expected = try #require(reference.date(from: text), "Foundation reads \(text)")
            #expect(TriggerTime.parse(text) == expected.timeIntervalSince1970, "\(text)")
        }
    }

    @Test func theValidatorReadsTheAnnotationAndLeavesItOutWhenUnreadable() throws {
        func slice(_ annotations: String) throws -> ValidatedEndpointSlice {
            try EndpointSliceValidator.validate(
                YAMLObjectDecoder.decode(
                    EndpointSlice.self,
                    fromYAML: """
                        apiVersion: discovery.k8s.io/v1
                        kind: EndpointSlice
                        metadata: {name: web-abc, namespace: default, annotations: {\(annotations)}}
                        addressType: IPv4
                        """)
            ).slice
        }
        #expect(
            try slice("endpoints.kubernetes.io/last-change-trigger-time: \"2026-12-02T12:05:54Z\"")
                .lastChangeTriggerTime == 1_796_213_154)
        #expect(try slice("endpoints.kubernetes.io/last-change-trigger-time: soon").lastChangeTriggerTime == nil)
        #expect(try slice("other: x").lastChangeTriggerTime == nil)
    }
}
