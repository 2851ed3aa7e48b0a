import Kube
import Logging
import Proxy

extension SourceOptions {
    /// Whether a source was named on the command line (`status` maps names only then).
    var isGiven: Bool { manifests != nil || kubeconfig != nil || context != nil || master != nil }

    /// Reads the source's initial state (up to its first `synced`) into a tracker: one snapshot of the cluster,
    /// as `plan` and `status` need it. Throws the source's error when it fails before that.
    static func snapshot(
        of objects: any ObjectSource, configuration: ProxyConfiguration
    ) async throws -> DesiredStateTracker {
        let source = SourceService(objects)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await source.run() }
            var tracker = DesiredStateTracker(configuration: configuration)
            var changes: [ObjectChange] = []
            for await event in source.events {
                switch event {
                case .change(let change):
                    changes.append(change)
                case .synced:
                    group.cancelAll()
                    tracker.apply(changes)
                    return tracker
                }
            }
            // The stream ended before the initial state was complete: the source's error says why.
            try await group.waitForAll()
            throw SourceError(.ended, "the object source stopped before its initial state was complete")
        }
    }
}
