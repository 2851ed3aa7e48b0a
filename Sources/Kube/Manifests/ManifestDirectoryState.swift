/// The manifests directory as last loaded: the objects of each file, and the merged view. Pure: the
/// ``ManifestsDirectorySource`` feeds it file contents and emits the changes it returns.
///
/// What a file that changes does to the objects (the policy, chosen to behave like `kubectl apply` against
/// an API server that rejects bad input, so that a typo never tears down a working Service):
/// - A file that cannot be read or parsed (YAML/JSON syntax error) keeps all the objects it last held; the
///   error names the file. Fixing the file applies its new content.
/// - In a parseable file, an invalid object is rejected alone: if the same object (kind, namespace, name)
///   was valid in this file before, its last valid version stays in force; otherwise it does not exist. The
///   error names file, object and field. The file's other objects are applied normally.
/// - An invalid endpoint is dropped from its slice (warning); the slice is kept.
/// - An object no longer in any file is deleted. An object moved from one file to another within one
///   scan (a rename, or both files changed together) is not deleted: it is updated only if it changed.
/// - A deleted file deletes its objects (unless another file defines them).
/// - An object defined in two files: the file first in path order wins; the other is ignored with a warning.
/// - Objects without a namespace are in `default`.
public struct ManifestDirectoryState: Sendable {
    struct FileState: Sendable {
        var signature: FileSignature?
        var objects: [ObjectID: KubeObject]
    }

    var files: [String: FileState] = [:]
    var merged = ObjectSnapshot()
    var reportedDuplicates: Set<String> = []

    /// Creates an empty state.
    public init() {}

    /// The signature of `path` as last loaded (nil when unknown).
    public func signature(of path: String) -> FileSignature? { files[path]?.signature }

    /// The paths currently loaded.
    public var paths: [String] { files.keys.sorted() }

    /// The merged view of every file.
    public var snapshot: ObjectSnapshot { merged }

    /// Records the new content of `path` (or its failure to load). Returns what to report.
    public mutating func load(
        _ path: String, signature: FileSignature?, content: Result<ManifestFile, ManifestError>
    ) -> [ManifestDiagnostic] {
        let previous = files[path]?.objects ?? [:]
        switch content {
        case .failure(let error):
            files[path] = FileState(signature: signature, objects: previous)
            return [.fileFailed(error)]
        case .success(let file):
            var diagnostics: [ManifestDiagnostic] = file.ignoredKinds.map { .ignoredKind(kind: $0, file: path) }
            var objects: [ObjectID: KubeObject] = [:]
            for accepted in file.accepted {
                objects[accepted.object.id] = accepted.object
                diagnostics += accepted.warnings.map(ManifestDiagnostic.dropped)
            }
            for rejected in file.rejected {
                var kept = false
                if let id = rejected.id, objects[id] == nil, let old = previous[id] {
                    objects[id] = old
                    kept = true
                }
                diagnostics.append(.rejected(rejected.error, keptPrevious: kept))
            }
            files[path] = FileState(signature: signature, objects: objects)
            return diagnostics
        }
    }

    /// Forgets a deleted file.
    public mutating func remove(_ path: String) {
        files[path] = nil
    }

    /// Merges every file and returns the changes since the last commit.
    public mutating func commit() -> (changes: [ObjectChange], diagnostics: [ManifestDiagnostic]) {
        var objects: [ObjectID: KubeObject] = [:]
        var owner: [ObjectID: String] = [:]
        var diagnostics: [ManifestDiagnostic] = []
        for path in files.keys.sorted() {
            guard let state = files[path] else { continue }
            for (id, object) in state.objects {
                if let first = owner[id] {
                    let note = "\(id) \(first) \(path)"
                    if reportedDuplicates.insert(note).inserted {
                        diagnostics.append(.duplicate(id, used: first, ignored: path))
                    }
                    continue
                }
                owner[id] = path
                objects[id] = object
            }
        }
        let next = ObjectSnapshot(objects)
        let changes = merged.changes(to: next)
        merged = next
        return (changes, diagnostics)
    }
}
