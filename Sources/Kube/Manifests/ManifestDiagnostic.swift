/// Something the manifests source reports (and logs) while loading files.
public enum ManifestDiagnostic: Sendable, CustomStringConvertible {
    /// A file could not be read or parsed; its previous objects are kept.
    case fileFailed(ManifestError)
    /// An object was rejected; its last valid version from the same file, if any, is kept.
    case rejected(ValidationError, keptPrevious: Bool)
    /// Part of an object (an endpoint) was dropped.
    case dropped(ValidationError)
    /// A kind other than Service or EndpointSlice was ignored.
    case ignoredKind(kind: String, file: String)
    /// The same object is defined in two files; the first file (in path order) wins.
    case duplicate(ObjectID, used: String, ignored: String)

    /// A one-line explanation naming the file (and object and field where relevant).
    public var description: String {
        switch self {
        case .fileFailed(let error): "\(error) (keeping the objects it last held)"
        case .rejected(let error, let kept): "\(error)\(kept ? " (keeping its last valid version)" : "")"
        case .dropped(let error): "\(error)"
        case .ignoredKind(let kind, let file): "\(file): ignoring object of kind \(kind)"
        case .duplicate(let id, let used, let ignored): "\(ignored): \(id) is already defined in \(used); ignored"
        }
    }
}
