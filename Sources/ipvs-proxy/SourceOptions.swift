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

    /// The object source these options name.
    func makeSource(logger: Logger) throws -> any ObjectSource {
        if let manifests {
            return ManifestsDirectorySource(directory: manifests, logger: logger)
        }
        let connection = try KubeConfigLoader.resolve(explicitPath: kubeconfig, context: context)
        return APIServerSource(connection: connection, logger: logger)
    }
}
