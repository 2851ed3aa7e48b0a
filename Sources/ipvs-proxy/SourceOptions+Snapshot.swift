import Kube
import Logging
import Proxy

extension SourceOptions {
    /// Whether a source was named on the command line (`status` maps names only then).
    var isGiven: Bool { manifests != nil || kubeconfig != nil || context != nil }

    /// Reads the source's initial state (up to its first `synced`) into a tracker: one snapshot of the cluster,
    /// as `plan` and `status` need it.
    static func snapshot(
        of objects: any ObjectSource, configuration: ProxyConfiguration
    ) async -> DesiredStateTracker {
        let source = SourceService(objects)
        return await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await source.run() }
            defer { group.cancelAll() }
            var tracker = DesiredStateTracker(configuration: configuration)
            for await event in source.events {
                switch event {
                case .change(let change): tracker.apply(change)
                case .synced: return tracker
                }
            }
            return tracker
        }
    }
}
