import ArgumentParser
import Foundation
import Kube
import Logging
import Settings

/// Where Services and EndpointSlices come from: a manifests directory, or an API server. The API server's
/// settings (`--kubeconfig`, `--master`, `--kube-api-*`) are settings like the others: flag, environment, or
/// the config file (kube-proxy's `clientConnection`).
struct SourceOptions: ParsableArguments {
    @Option(help: "Read Services and EndpointSlices from this directory of YAML/JSON manifests (watched).")
    var manifests: String?

    @Option(help: ArgumentHelp(SettingKeys.kubeconfig.help, valueName: "file"))
    var kubeconfig: String?

    @Option(help: "Kubeconfig context (default: its current-context).")
    var context: String?

    @Option(help: ArgumentHelp(SettingKeys.master.help, valueName: "url"))
    var master: String?

    @Option(name: .customLong("kube-api-qps"), help: ArgumentHelp(SettingKeys.kubeAPIQPS.help + " [default: 5]"))
    var kubeAPIQPS: String?

    @Option(
        name: .customLong("kube-api-burst"), help: ArgumentHelp(SettingKeys.kubeAPIBurst.help + " [default: 10]"))
    var kubeAPIBurst: String?

    @Option(
        name: .customLong("kube-api-content-type"),
        help: ArgumentHelp(SettingKeys.kubeAPIContentType.help, valueName: "type"))
    var kubeAPIContentType: String?

    @Option(
        name: .customLong("kube-api-accept-content-types"),
        help: ArgumentHelp(SettingKeys.kubeAPIAcceptContentTypes.help, valueName: "types"))
    var kubeAPIAcceptContentTypes: String?

    func validate() throws {
        if manifests != nil && (kubeconfig != nil || context != nil || master != nil) {
            throw ValidationError(
                "--manifests reads no cluster: it cannot be combined with --kubeconfig, --context or --master")
        }
    }

    /// The flags given, by setting name.
    var given: [String: String?] {
        [
            SettingKeys.kubeconfig.name: kubeconfig, SettingKeys.master.name: master,
            SettingKeys.kubeAPIQPS.name: kubeAPIQPS, SettingKeys.kubeAPIBurst.name: kubeAPIBurst,
            SettingKeys.kubeAPIContentType.name: kubeAPIContentType,
            SettingKeys.kubeAPIAcceptContentTypes.name: kubeAPIAcceptContentTypes,
        ]
    }

    /// The object source these options name. A source that `waits` for its whole input at start keeps trying
    /// (a long-running proxy); one that does not (`--once`, `plan`, `status`) fails at once, so nothing is ever
    /// computed from a partial reading. Logs in one line which API server is used and where that came from. With
    /// `nodeName`, the API server source also reads that Node (zone, deletion, taints); with `events`, it writes
    /// the Events recorded there (a manifests directory has no API: they are not written). With `manifestsCache`, a
    /// manifests directory's decoded objects are kept in that file across restarts (``ManifestCache``); with
    /// `apiCache`, an API server's in that directory (``APIObjectCache``).
    func makeSource(
        _ settings: ClientConnectionSettings, waits: Bool = true, nodeName: String? = nil,
        events: EventRecorder? = nil, manifestsCache: String? = nil, apiCache: String? = nil, logger: Logger
    ) throws -> any ObjectSource {
        if let manifests {
            return ManifestsDirectorySource(
                directory: manifests, waitsForWholeStart: waits, cacheFile: manifestsCache,
                cacheProducer: ManifestCache.producer(program: "ipvs-proxy \(BuildInfo.version)"), logger: logger)
        }
        let resolved = try Self.resolve(settings, context: context)
        logger.info("\(resolved.startLine)")
        var options = APIServerSource.Options()
        options.rateLimit = RequestRateLimit(qps: settings.qps, burst: settings.burst)
        options.nodeName = nodeName.flatMap { $0.isEmpty ? nil : $0 }
        options.events = events
        options.cacheDirectory = apiCache
        options.cacheProducer = APIObjectCache.producer(program: "ipvs-proxy \(BuildInfo.version)")
        return APIServerSource(connection: resolved.connection, options: options, logger: logger)
    }

    /// The connection the settings name (see ``KubeConfigLoader``).
    static func resolve(
        _ settings: ClientConnectionSettings, context: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        inCluster: InClusterConfig = InClusterConfig()
    ) throws -> ResolvedConnection {
        try KubeConfigLoader.locate(
            explicitPath: settings.kubeconfig, explicitPathOrigin: settings.kubeconfigOrigin ?? "--kubeconfig",
            context: context, master: settings.master, masterOrigin: settings.masterOrigin ?? "--master",
            environment: environment, inCluster: inCluster)
    }
}
