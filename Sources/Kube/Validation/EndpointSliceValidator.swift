import Values

/// Turns a wire ``EndpointSlice`` into a ``ValidatedEndpointSlice``.
///
/// The slice is rejected (thrown error) for a missing name or an unknown addressType. Everything else is read as
/// kube-proxy reads it, and what it would skip is dropped on its own and reported in ``Result/warnings``, the rest
/// of the slice kept:
/// - a port without a number (absent or 0), out of range, or with an unknown protocol: that port;
/// - an endpoint with no address, or whose first address is not an IP of the slice's family: that endpoint. Only
///   the first address is used (the API server's slices hold exactly one); later ones are not read.
/// FQDN slices validate with no endpoints (service proxies do not use them).
public enum EndpointSliceValidator {
    /// A validated slice and the endpoints that were dropped from it.
    public struct Result: Sendable, Hashable {
        /// The validated slice.
        public var slice: ValidatedEndpointSlice
        /// One warning per dropped endpoint, naming its field path.
        public var warnings: [ValidationError]
    }

    /// Validates a slice. Its endpoints' node names and zones come from `names` (one copy of each name for the
    /// whole process, not one per endpoint).
    public static func validate(
        _ slice: EndpointSlice, names: NameTable = .shared
    ) throws(ValidationError) -> Result {
        let check = FieldChecker(object: ObjectNaming.describe(.endpointSlice, slice.metadata))
        guard let key = ObjectNaming.key(slice.metadata) else {
            throw check.fail(.missingField, "metadata.name", "is required")
        }
        try check.names(key, subdomainName: true)
        guard let typeText = slice.addressType, !typeText.isEmpty else {
            throw check.fail(.missingField, "addressType", "is required")
        }
        let addressType: AddressType = try check.choice(typeText, "addressType", default: .ipv4)
        // Sized up front: grown by appending, the arrays kept up to twice their size for as long as the slice lives
        // (at 10,000 slices of 10 endpoints, 5 MB of the validated objects' 15).
        var ports: [ValidatedEndpointSlice.Port] = []
        ports.reserveCapacity(slice.ports?.count ?? 0)
        var warnings: [ValidationError] = []
        for (index, port) in (slice.ports ?? []).enumerated() {
            do {
                ports.append(try validatePort(port, index: index, check))
            } catch {
                warnings.append(error)
            }
        }
        var endpoints: [ValidatedEndpointSlice.Endpoint] = []
        if addressType != .fqdn {
            endpoints.reserveCapacity(slice.endpoints?.count ?? 0)
            for (index, endpoint) in (slice.endpoints ?? []).enumerated() {
                do {
                    endpoints.append(try validateEndpoint(endpoint, index: index, addressType, check, names))
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
            lastChangeTriggerTime: slice.metadata.annotations?[EndpointSlice.lastChangeTriggerTimeAnnotation].flatMap(
                TriggerTime.parse),
            serviceProxyName: labels[Service.serviceProxyNameLabel],
            headless: labels[Service.headlessLabel] != nil
        )
        return Result(slice: validated, warnings: warnings)
    }

    static func validatePort(
        _ port: EndpointSlice.Port, index: Int, _ check: FieldChecker
    ) throws(ValidationError) -> ValidatedEndpointSlice.Port {
        let field = "ports[\(index)]"
        guard let number = port.port, number != 0 else {
            throw check.fail(.missingField, "\(field).port", "port has no number; port dropped")
        }
        guard (1...65535).contains(number) else {
            throw check.fail(.outOfRange, "\(field).port", "\(number) is out of range 1-65535; port dropped")
        }
        let text = port.protocol ?? ""
        guard let transport = text.isEmpty ? .tcp : TransportProtocol(rawValue: text) else {
            throw check.fail(
                .unsupportedValue, "\(field).protocol",
                "unknown protocol \"\(text)\" (expected TCP, UDP or SCTP); port dropped")
        }
        return ValidatedEndpointSlice.Port(name: port.name ?? "", protocol: transport, port: UInt16(number))
    }

    static func validateEndpoint(
        _ endpoint: EndpointSlice.Endpoint, index: Int, _ addressType: AddressType, _ check: FieldChecker,
        _ names: NameTable
    ) throws(ValidationError) -> ValidatedEndpointSlice.Endpoint {
        let field = "endpoints[\(index)].addresses"
        guard let text = endpoint.addresses.first else {
            throw check.fail(.missingField, field, "endpoint has no address; endpoint dropped")
        }
        guard let address = IPAddress(text), address.isIPv4 == (addressType == .ipv4) else {
            throw check.fail(
                .invalidIP, "\(field)[0]", "\"\(text)\" is not an \(addressType.rawValue) address; endpoint dropped")
        }
        return ValidatedEndpointSlice.Endpoint(
            address: address,
            ready: endpoint.conditions?.ready ?? true,
            serving: endpoint.conditions?.serving ?? true,
            terminating: endpoint.conditions?.terminating ?? false,
            nodeName: endpoint.nodeName,
            zone: endpoint.zone,
            hintZones: endpoint.hints?.forZones?.map(\.name) ?? [],
            hintNodes: endpoint.hints?.forNodes?.map(\.name) ?? [],
            targetName: endpoint.targetRef?.name,
            names: names
        )
    }
}
