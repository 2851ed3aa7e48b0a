/// core/v1 internal/external traffic policy.
public enum TrafficPolicy: String, Sendable, Hashable, CaseIterable, Codable {
    /// Any ready endpoint in the cluster.
    case cluster = "Cluster"
    /// Only endpoints on this node.
    case local = "Local"
}
