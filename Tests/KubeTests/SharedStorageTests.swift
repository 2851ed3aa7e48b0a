import Testing
import Values

@testable import Kube

/// Validated Services and EndpointSlices keep their fields in one shared box: copies share it, and a change to a
/// copy is a change to that copy alone.
@Suite struct SharedStorageTests {
    @Test func aChangedCopyLeavesTheOriginalAsItWas() throws {
        let original = try ServiceValidator.validate(ValidationTests.service())
        var changed = original
        #expect(changed == original)
        changed.labels["team"] = "web"
        changed.ports[0].port = 8080
        #expect(original.labels["team"] == nil && original.ports[0].port == 80)
        #expect(changed.labels["team"] == "web" && changed.ports[0].port == 8080)
        #expect(changed != original)
        changed.labels["team"] = nil
        changed.ports[0].port = 80
        // Equal fields in two boxes are equal, and hash alike.
        #expect(changed == original)
        #expect(Set([changed, original]).count == 1)
    }

    @Test func aSliceCopyIsIndependentToo() {
        let original = ValidatedEndpointSlice(
            key: ObjectKey(namespace: "default", name: "web-1"), resourceVersion: "7", serviceName: "web",
            addressType: .ipv4, endpoints: [], ports: [])
        var changed = original
        changed.serviceName = "other"
        changed.lastChangeTriggerTime = 1
        #expect(original.serviceName == "web" && original.lastChangeTriggerTime == nil)
        #expect(changed.serviceKey == ObjectKey(namespace: "default", name: "other"))
        #expect(String(describing: original).contains("serviceName: Optional(\"web\")"), "printed by its fields")
    }

    @Test func aBoxComparesByValue() {
        let one = SharedBox([1, 2, 3])
        #expect(
            one == SharedBox([1, 2, 3]) && one.with { $0.append(4) }.value == [1, 2, 3, 4] && one.value.count == 3)
    }
}
