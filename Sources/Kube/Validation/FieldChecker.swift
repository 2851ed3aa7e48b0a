import Values

/// Shared checks used by the validators; each throws a ``ValidationError`` naming the object and field.
struct FieldChecker {
    /// `services/default/web`.
    let object: String

    func fail(_ code: ValidationErrorCode, _ field: String, _ message: String) -> ValidationError {
        ValidationError(code: code, message: message, object: object, field: field)
    }

    /// A port number 1-65535.
    func port(_ value: Int?, _ field: String) throws(ValidationError) -> UInt16 {
        guard let value else { throw fail(.missingField, field, "is required") }
        guard (1...65535).contains(value) else {
            throw fail(.outOfRange, field, "\(value) is out of range 1-65535")
        }
        return UInt16(value)
    }

    /// An optional port: nil or 0 means none.
    func optionalPort(_ value: Int?, _ field: String) throws(ValidationError) -> UInt16? {
        guard let value, value != 0 else { return nil }
        return try port(value, field)
    }

    /// TCP (default), UDP or SCTP.
    func transport(_ value: String?, _ field: String) throws(ValidationError) -> TransportProtocol {
        guard let value, !value.isEmpty else { return .tcp }
        guard let parsed = TransportProtocol(rawValue: value) else {
            throw fail(.unsupportedValue, field, "unknown protocol \"\(value)\" (expected TCP, UDP or SCTP)")
        }
        return parsed
    }

    /// An IP address.
    func ip(_ value: String, _ field: String) throws(ValidationError) -> IPAddress {
        guard let parsed = IPAddress(value) else {
            throw fail(.invalidIP, field, "\"\(value)\" is not a valid IP address")
        }
        return parsed
    }

    /// A value of a string enum, with a default when absent or empty.
    func choice<T: RawRepresentable & CaseIterable>(
        _ value: String?, _ field: String, default fallback: T
    ) throws(ValidationError) -> T where T.RawValue == String {
        guard let value, !value.isEmpty else { return fallback }
        guard let parsed = T(rawValue: value) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail(.unsupportedValue, field, "unsupported value \"\(value)\" (expected one of \(allowed))")
        }
        return parsed
    }

    /// Checks the namespace and name of a key: DNS labels, or (for `subdomainName`) a DNS subdomain name.
    func names(_ key: ObjectKey, subdomainName: Bool) throws(ValidationError) {
        guard ObjectNaming.isDNSLabel(key.namespace) else {
            throw fail(
                .unsupportedValue, "metadata.namespace",
                "\"\(key.namespace)\" is not a valid namespace (lowercase letters, digits and '-', at most 63)")
        }
        let valid = subdomainName ? ObjectNaming.isDNSSubdomain(key.name) : ObjectNaming.isDNSLabel(key.name)
        guard valid else {
            let rule =
                subdomainName
                ? "lowercase letters, digits, '-' and '.', at most 253"
                : "lowercase letters, digits and '-', at most 63"
            throw fail(.unsupportedValue, "metadata.name", "\"\(key.name)\" is not a valid name (\(rule))")
        }
    }
}
