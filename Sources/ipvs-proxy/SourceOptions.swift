import ArgumentParser
import Kube
import Logging

/// Where Services and EndpointSlices come from: a manifests directory, or an API server.
struct SourceOptions: ParsableArguments {
    @Option(help: "Read Services and EndpointSlices from this directory of YAML/JSON manifests (watched).")
    var manifests: String?

    @Option(help: "Kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then the in-cluster service account).")
    var kubeconfig: String?

    @Option(help: "Kubeconfig context (default: its current-context).")
    var context: String?

    func validate() throws {
        if manifests != nil && (kubeconfig != nil || context != nil) {
            throw ValidationError("--manifests reads no cluster: it cannot be combined with --kubeconfig or --context")
        }
    }

    /// The object source these options name. A source that `waits` for its whole input at start keeps trying
    /// (a long-running proxy); one that does not (`--once`, `plan`, `status`) fails at once, so nothing is ever
    /// computed from a partial reading.
    func makeSource(waits: Bool = true, logger: Logger) throws -> any ObjectSource {
        if let manifests {
            return ManifestsDirectorySource(directory: manifests, waitsForWholeStart: waits, logger: logger)
        }
        let connection = try KubeConfigLoader.resolve(explicitPath: kubeconfig, context: context)
        return APIServerSource(connection: connection, logger: logger)
    }
}
