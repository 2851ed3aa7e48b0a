import Foundation
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

    @Test(arguments: ["", "yesterday", "2026-12-02", "2026-12-02T12:05:54.Z", "12:05:54Z"])
    func otherTextIsNoTime(_ text: String) {
        #expect(TriggerTime.parse(text) == nil)
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
