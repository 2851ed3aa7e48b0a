import Values

/// Turns a wire ``EndpointSlice`` into a ``ValidatedEndpointSlice``.
///
/// The slice is rejected (thrown error) for a missing name, an unknown addressType, or a bad port (out of
/// range, unknown protocol). An endpoint whose address is not an IP of the slice's family, or that has no
/// address, is dropped on its own and reported in ``Result/warnings``; the rest of the slice is kept.
/// FQDN slices validate with no endpoints (service proxies do not use them).
public enum EndpointSliceValidator {
    /// A validated slice and the endpoints that were dropped from it.
    public struct Result: Sendable, Hashable {
        /// The validated slice.
        public var slice: ValidatedEndpointSlice
        /// One warning per dropped endpoint, naming its field path.
        public var warnings: [ValidationError]
    }

    /// Validates a slice.
    public static func validate(_ slice: EndpointSlice) throws(ValidationError) -> Result {
        let check = FieldChecker(object: ObjectNaming.describe(.endpointSlice, slice.metadata))
        guard let key = ObjectNaming.key(slice.metadata) else {
            throw check.fail(.missingField, "metadata.name", "is required")
        }
        try check.names(key, subdomainName: true)
        guard let typeText = slice.addressType, !typeText.isEmpty else {
            throw check.fail(.missingField, "addressType", "is required")
        }
        let addressType: AddressType = try check.choice(typeText, "addressType", default: .ipv4)
        var ports: [ValidatedEndpointSlice.Port] = []
        for (index, port) in (slice.ports ?? []).enumerated() {
            let field = "ports[\(index)]"
            ports.append(
                ValidatedEndpointSlice.Port(
                    name: port.name ?? "",
                    protocol: try check.transport(port.protocol, "\(field).protocol"),
                    port: try check.port(port.port, "\(field).port")
                ))
        }
        var endpoints: [ValidatedEndpointSlice.Endpoint] = []
        var warnings: [ValidationError] = []
        if addressType != .fqdn {
            for (index, endpoint) in (slice.endpoints ?? []).enumerated() {
                do {
                    endpoints.append(try validateEndpoint(endpoint, index: index, addressType, check))
                } catch {
                    warnings.append(error)
                }
            }
        }
        let labels = slice.metadata.labels ?? [:]
        let validated = ValidatedEndpointSlice(
            key: key,
            resourceVersion: slice.metadata.resourceVersion,
            serviceName: labels[EndpointSlice.serviceNameLabel].flatMap { $0.isEmpty ? nil : $0 },
            addressType: addressType,
            endpoints: endpoints,
            ports: ports,
            labels: labels
        )
        return Result(slice: validated, warnings: warnings)
    }

    static func validateEndpoint(
        _ endpoint: EndpointSlice.Endpoint, index: Int, _ addressType: AddressType, _ check: FieldChecker
    ) throws(ValidationError) -> ValidatedEndpointSlice.Endpoint {
        let field = "endpoints[\(index)].addresses"
        guard !endpoint.addresses.isEmpty else {
            throw check.fail(.missingField, field, "endpoint has no address; endpoint dropped")
        }
        var addresses: [IPAddress] = []
        for (position, text) in endpoint.addresses.enumerated() {
            guard let address = IPAddress(text), address.isIPv4 == (addressType == .ipv4) else {
                throw check.fail(
                    .invalidIP, "\(field)[\(position)]",
                    "\"\(text)\" is not an \(addressType.rawValue) address; endpoint dropped")
            }
            addresses.append(address)
        }
        let ready = endpoint.conditions?.ready ?? true
        return ValidatedEndpointSlice.Endpoint(
            addresses: addresses,
            ready: ready,
            serving: endpoint.conditions?.serving ?? ready,
            terminating: endpoint.conditions?.terminating ?? false,
            nodeName: endpoint.nodeName,
            zone: endpoint.zone,
            hintZones: endpoint.hints?.forZones?.map(\.name) ?? [],
            hintNodes: endpoint.hints?.forNodes?.map(\.name) ?? [],
            targetName: endpoint.targetRef?.name
        )
    }
}
