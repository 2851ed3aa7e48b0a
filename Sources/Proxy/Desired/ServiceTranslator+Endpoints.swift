import Values
import IPVS
import Kube

extension ServiceTranslator {
    /// How many addresses one diagnostic names before it says "and N more".
    static let namedAddresses = 5

    /// The Service's slices without the endpoints whose address cannot be a real server
    /// (``EndpointAddressProblem``), and one diagnostic per slice and problem naming them; the rest of the slice,
    /// and of the Service, is used as usual.
    ///
    /// A slice labelled `service.kubernetes.io/headless`, or `service.kubernetes.io/service-proxy-name` with another
    /// value than `proxyName` (any value, for the default proxy), is left out whole, with a diagnostic: kube-proxy's
    /// informers list slices without those labels only, so it never sees one. The EndpointSlice controller copies
    /// the Service's labels to its slices, so only a slice labelled apart from its Service gets here. A named proxy
    /// also uses its Service's slices that carry no proxy name (written by hand, say).
    static func usableSlices(
        _ slices: some Collection<ValidatedEndpointSlice>, service: ValidatedService, proxyName: String?
    ) -> ([ValidatedEndpointSlice], [ServiceDiagnostic]) {
        var usable: [ValidatedEndpointSlice] = []
        usable.reserveCapacity(slices.count)
        var diagnostics: [ServiceDiagnostic] = []
        for slice in slices.count > 1 ? slices.sorted(by: { $0.key < $1.key }) : Array(slices) {
            if let label = otherProxysLabel(of: slice, proxyName: proxyName) {
                diagnostics.append(
                    ServiceDiagnostic(
                        code: .otherProxysSlice, service: service.key.description,
                        field: "endpointslices/\(slice.key) metadata.labels[\(label)]",
                        message: "the slice is labelled for "
                            + (label == Service.headlessLabel ? "a headless Service" : "another service proxy")
                            + "; its endpoints are left out, as kube-proxy leaves them"))
                continue
            }
            // Nearly every slice: nothing to leave out, and the slice is used as it is (not copied endpoint by
            // endpoint, as the filter below does).
            guard slice.endpoints.contains(where: { EndpointAddressProblem.of($0.address) != nil }) else {
                usable.append(slice)
                continue
            }
            var refused: [EndpointAddressProblem: [IPAddress]] = [:]
            var kept = slice
            kept.endpoints = slice.endpoints.filter { endpoint in
                guard let problem = EndpointAddressProblem.of(endpoint.address) else { return true }
                refused[problem, default: []].append(endpoint.address)
                return false
            }
            usable.append(refused.isEmpty ? slice : kept)
            for problem in EndpointAddressProblem.allCases {
                guard let addresses = refused[problem] else { continue }
                diagnostics.append(
                    ServiceDiagnostic(
                        code: .refusedEndpoint, service: service.key.description,
                        field: "endpointslices/\(slice.key) endpoints[].addresses",
                        message: "\(Self.list(addresses)) \(addresses.count == 1 ? "is" : "are each") "
                            + "\(problem.explanation); left out of the real servers"))
            }
        }
        return (usable, diagnostics)
    }

    /// The label that marks `slice` as another proxy's or a headless Service's, if one does.
    static func otherProxysLabel(of slice: ValidatedEndpointSlice, proxyName: String?) -> String? {
        if slice.headless { return Service.headlessLabel }
        guard let name = slice.serviceProxyName, name != proxyName else { return nil }
        return Service.serviceProxyNameLabel
    }

    /// "\"a\"", "\"a\", \"b\"", or the first few and "and N more".
    static func list(_ addresses: [IPAddress]) -> String {
        let named = addresses.prefix(namedAddresses).map { "\"\($0)\"" }.joined(separator: ", ")
        let more = addresses.count - min(addresses.count, namedAddresses)
        return more > 0 ? "\(named) and \(more) more" : named
    }

    /// The prefix length the kernel is given for a virtual server of `family`, from the Service's
    /// `persistence-prefix-length` (nil: each client on its own). IPv4 takes 0-32 (a netmask; 0 groups every
    /// client, and longer prefixes are cut to 32 so one value serves a dual-stack Service); IPv6 takes 1-128 (the
    /// kernel refuses 0 with EINVAL), so there 0 falls back to /128 and is reported (``persistencePrefixDiagnostic``).
    static func persistencePrefix(_ asked: UInt8?, family: AddressFamily) -> UInt8? {
        guard let asked else { return nil }
        switch family {
        case .ipv4: return min(asked, 32)
        case .ipv6: return asked == 0 ? nil : min(asked, 128)
        }
    }

    /// The diagnostic for a persistence prefix the kernel would refuse for some of the Service's virtual servers;
    /// nil when every one takes it.
    static func persistencePrefixDiagnostic(
        _ asked: UInt8?, families: Set<AddressFamily>, service: ValidatedService
    ) -> ServiceDiagnostic? {
        guard let asked, families.contains(.ipv6), persistencePrefix(asked, family: .ipv6) == nil else { return nil }
        return ServiceDiagnostic(
            code: .badAnnotation, service: service.key.description,
            field: "metadata.annotations[\(ServiceAnnotations.persistenceNetmask)]",
            message: "\(asked) is not a prefix length the kernel takes for IPv6 (1-128); IPv6 virtual servers keep"
                + " each client on its own (/128)")
    }
}
