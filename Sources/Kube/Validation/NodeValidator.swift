import Values

/// Turns a wire ``ClusterNode`` into a ``ValidatedNode``: the name is required and must be a DNS subdomain; taints
/// without a key are skipped (the API server never stores one), and so are addresses that are no IP, as
/// kube-proxy's `GetNodeHostIPs` skips them.
public enum NodeValidator {
    /// Validates a Node.
    public static func validate(_ node: ClusterNode) throws(ValidationError) -> ValidatedNode {
        let check = FieldChecker(object: ObjectNaming.describe(.node, node.metadata))
        guard let name = node.metadata.name, !name.isEmpty else {
            throw check.fail(.missingField, "metadata.name", "is required")
        }
        guard ObjectNaming.isDNSSubdomain(name) else {
            throw check.fail(
                .unsupportedValue, "metadata.name",
                "\"\(name)\" is not a valid name (lowercase letters, digits, '-' and '.', at most 253)")
        }
        let zone = node.metadata.labels?[ClusterNode.zoneLabel].flatMap { $0.isEmpty ? nil : $0 }
        let addresses = node.status?.addresses ?? []
        func ips(_ type: String) -> [IPAddress] {
            addresses.filter { $0.type == type }.compactMap { $0.address.flatMap(IPAddress.init) }
        }
        return ValidatedNode(
            name: name, zone: zone, beingDeleted: node.metadata.deletionTimestamp != nil,
            taintKeys: (node.spec?.taints ?? []).compactMap { $0.key.flatMap { $0.isEmpty ? nil : $0 } },
            hostIPs: ValidatedNode.hostIPs(internalIPs: ips("InternalIP"), externalIPs: ips("ExternalIP")))
    }
}
