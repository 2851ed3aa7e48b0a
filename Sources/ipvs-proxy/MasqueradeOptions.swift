import Values
import ArgumentParser
import Foundation
import Proxy

/// Masquerading options of `run`, with kube-proxy's names.
struct MasqueradeOptions: ParsableArguments {
    @Option(
        name: .customLong("cluster-cidr"),
        help: ArgumentHelp(
            "The pods' address ranges, comma-separated (IPv4 and IPv6): traffic from outside them to a NodePort, an"
                + " external IP or a cluster IP is masqueraded.",
            valueName: "cidrs"
        )
    )
    var clusterCIDR: String?

    @Flag(inversion: .prefixedNo, help: "Masquerade every connection to a virtual server, whatever its source.")
    var masqueradeAll: Bool?

    func validate() throws {
        _ = try prefixes()
    }

    func prefixes() throws -> [AddressPrefix] {
        let words = (clusterCIDR ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return try words.filter { !$0.isEmpty }.map { word in
            guard let prefix = AddressPrefix(word) else {
                throw ValidationError("--cluster-cidr: \"\(word)\" is not a CIDR (like 10.244.0.0/16 or fd00:10::/56)")
            }
            return prefix
        }
    }

    /// The configuration these options give.
    func configuration() throws -> MasqueradeConfiguration {
        MasqueradeConfiguration(clusterCIDRs: try prefixes(), masqueradeAll: masqueradeAll ?? false)
    }
}
