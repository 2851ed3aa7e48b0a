import Values
import IPVS

/// The operator's masquerading choices (kube-proxy's `--cluster-cidr` and `--masquerade-all`) and the nftables
/// table the rules live in.
public struct MasqueradeConfiguration: Sendable, Hashable {
    /// The proxy's own table, in the `inet` family.
    public static let defaultTable = "ipvs-proxy"

    /// The pods' address ranges; traffic from elsewhere to a NodePort, an external IP or (with a range of its
    /// family) a cluster IP is masqueraded.
    public var clusterCIDRs: [AddressPrefix]
    /// Masquerade every connection to a virtual server, whatever its source.
    public var masqueradeAll: Bool
    /// The name of the `inet` table the proxy owns.
    public var table: String

    /// A configuration.
    public init(clusterCIDRs: [AddressPrefix] = [], masqueradeAll: Bool = false, table: String = Self.defaultTable) {
        self.clusterCIDRs = clusterCIDRs
        self.masqueradeAll = masqueradeAll
        self.table = table
    }

    /// True when some cluster CIDR of this family was given.
    public func hasClusterCIDR(_ family: AddressFamily) -> Bool {
        clusterCIDRs.contains { $0.address.family == family }
    }
}
