import Kube

/// Which endpoints a Service port's cluster traffic goes to on this node, from the EndpointSlice hints: kube-proxy's
/// `topologyModeFromHints` and `availableForTopology` (`pkg/proxy/topology.go`). Pure.
///
/// A Service's `trafficDistribution` (`PreferClose`, `PreferSameZone`, `PreferSameNode`) reaches a service proxy
/// only through these hints, which the EndpointSlice controller writes (`forZones`, `forNodes`); kube-proxy reads
/// the hints alone, and so does this.
///
/// - ``sameNode``: every ready endpoint has a node hint and at least one is hinted for this node.
/// - Otherwise ``sameZone``: every ready endpoint has a zone hint and at least one is hinted for this node's zone
///   (the Node's `topology.kubernetes.io/zone` label; none while the Node is not read).
/// - Otherwise ``none``: hints are incomplete or name neither this node nor its zone (or there is no ready
///   endpoint), and every endpoint is used. The fallback happens here, when the mode is chosen, never after
///   filtering.
enum TopologyMode: Sendable, Hashable {
    /// No topology: every endpoint.
    case none
    /// The endpoints hinted for this zone.
    case sameZone
    /// The endpoints hinted for this node.
    case sameNode

    /// The mode for `endpoints` (one port's, one family's) on node `nodeName` in `zone`.
    static func from(
        _ endpoints: some Sequence<ValidatedEndpointSlice.Endpoint>, nodeName: String, zone: String?
    ) -> TopologyMode {
        var hasReady = false
        var allHaveNodeHints = true
        var hasEndpointForNode = false
        var allHaveZoneHints = true
        var hasEndpointForZone = false
        for endpoint in endpoints where endpoint.ready {
            hasReady = true
            if endpoint.hintNodes.isEmpty {
                allHaveNodeHints = false
            } else if endpoint.hintNodes.contains(nodeName) {
                hasEndpointForNode = true
            }
            if endpoint.hintZones.isEmpty {
                allHaveZoneHints = false
            } else if let zone, endpoint.hintZones.contains(zone) {
                hasEndpointForZone = true
            }
        }
        guard hasReady else { return .none }
        if allHaveNodeHints && hasEndpointForNode { return .sameNode }
        if allHaveZoneHints && hasEndpointForZone { return .sameZone }
        return .none
    }

    /// Whether `endpoint` may take this node's cluster traffic in this mode.
    func admits(_ endpoint: ValidatedEndpointSlice.Endpoint, nodeName: String, zone: String?) -> Bool {
        switch self {
        case .none: true
        case .sameNode: endpoint.hintNodes.contains(nodeName)
        case .sameZone: zone.map { endpoint.hintZones.contains($0) } ?? false
        }
    }
}
