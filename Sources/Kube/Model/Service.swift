/// A core/v1 Service as the API server sends it and as users write it (wire model, not yet validated).
///
/// Only the fields a service proxy needs are modelled; unknown fields are ignored. See ``ServiceValidator``
/// for the typed, validated form.
public struct Service: Codable, Sendable, Hashable {
    /// `v1`.
    public var apiVersion: String?
    /// `Service`.
    public var kind: String?
    /// Name, namespace, labels, annotations, resourceVersion.
    public var metadata: ObjectMeta
    /// The desired behaviour.
    public var spec: Spec?
    /// The observed status (load-balancer ingress).
    public var status: Status?

    /// Creates a Service.
    public init(
        apiVersion: String? = "v1",
        kind: String? = "Service",
        metadata: ObjectMeta,
        spec: Spec? = nil,
        status: Status? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// Label naming the proxy that should handle this Service (others must ignore it).
    public static let serviceProxyNameLabel = "service.kubernetes.io/service-proxy-name"
    /// Label marking a Service as headless regardless of its clusterIP.
    public static let headlessLabel = "service.kubernetes.io/headless"

    /// The labels a validated Service keeps: the two above. An application's own labels are read by nothing here.
    public static let keptLabels: Set<String> = [serviceProxyNameLabel, headlessLabel]
    /// The annotations a validated Service keeps: the proxy's own and kube-router's, known or not (a misspelt one is
    /// reported). The others are not kept: kubectl's `last-applied-configuration` alone is a copy of the whole
    /// object, often a kilobyte or more, on every Service `kubectl apply` wrote.
    public static let keptAnnotationPrefixes = ["ipvs-proxy.io/", "kube-router.io/"]

    /// True when a validated Service keeps annotation `key`.
    public static func keepsAnnotation(_ key: String) -> Bool {
        keptAnnotationPrefixes.contains { key.hasPrefix($0) }
    }
}
