import Foundation
import Values

/// What the fixture has created, written to ``PodNetworkLayout/stateFile`` after every step so that `down`
/// (from this process or another) removes exactly that, and nothing it did not make.
struct PodNetworkState: Codable, Sendable {
    /// The layout that `up` worked from.
    var layout: PodNetworkLayout
    /// The binary whose `pods serve` runs each pod's server.
    var executable: String
    /// Whether the fixture made the bridge.
    var createdBridge = false
    /// The pods whose namespace and veth the fixture made (or began to make).
    var createdPods: [String] = []
    /// Delays changed after `up` (``PodNetwork/setDelay(_:_:)``), by pod name; a restarted pod keeps its change.
    var delayChanges: [String: DelayDistribution] = [:]
    /// `net.ipv4.ip_forward` before `up` changed it, if it did.
    var previousIPForward: String?

    /// Reads the state file of a run directory; `notUp` if there is none.
    static func load(runDirectory: String) throws(PodsError) -> PodNetworkState {
        let path = PodNetworkLayout.stateFile(in: runDirectory)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PodsError(.notUp, "the pods fixture is not up (no state file \(path))")
        }
        do {
            return try JSONDecoder().decode(PodNetworkState.self, from: data)
        } catch {
            throw PodsError(.file, "unreadable state file \(path)", cause: error)
        }
    }

    /// Writes the state file atomically.
    func save() throws(PodsError) {
        let path = layout.stateFile
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw PodsError(.file, "could not write the state file \(path)", cause: error)
        }
    }
}
