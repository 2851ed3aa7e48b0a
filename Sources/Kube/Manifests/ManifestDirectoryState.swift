/// The manifests directory as last loaded: the objects of each file, and which file defines each object. Pure:
/// the ``ManifestsDirectorySource`` feeds it file contents and emits the changes it returns.
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
///   commit (a rename, or both files changed together) is not deleted: it is updated only if it changed.
/// - A deleted file deletes its objects (unless another file defines them).
/// - An object defined in two files: the file first in path order wins; the other is ignored with a warning.
/// - Objects without a namespace are in `default`.
///
/// Work is incremental: ``load(_:signature:content:)`` and ``remove(_:)`` note the objects the file held before
/// and holds now, and ``commit()`` compares only those objects' winning versions with what was last committed,
/// so one edited file costs in proportion to its own objects, not to the directory. Each object is held once
/// (by the file that defines it); the committed view is derived from the files.
public struct ManifestDirectoryState: Sendable {
    struct FileState: Sendable {
        var signature: FileSignature?
        var objects: FileObjects
        /// Why the file's last reading failed (its objects are then the ones it held before), nil after a success.
        var failure: ManifestError? = nil
        /// The digest of the bytes the objects were decoded from, when the file loaded clean (``ManifestCache``).
        var digest: ContentDigest? = nil
    }

    var files: [String: FileState] = [:]
    /// The files defining each object, in path order (the first wins). Usually one.
    var definers = ObjectDefiners()
    /// For each object touched since the last commit: its committed version then (nil: it did not exist).
    var pending: [ObjectID: KubeObject?] = [:]
    var reportedDuplicates: Set<String> = []

    /// Creates an empty state.
    public init() {}

    /// The signature of `path` as last loaded (nil when unknown).
    public func signature(of path: String) -> FileSignature? { files[path]?.signature }

    /// The paths currently loaded.
    public var paths: [String] { files.keys.sorted() }

    /// How many files are loaded.
    public var fileCount: Int { files.count }

    /// The files whose last reading failed (unreadable, or not valid YAML or JSON), in path order.
    public var failedFiles: [ManifestError] { files.keys.sorted().compactMap { files[$0]?.failure } }

    /// Whether a file was read so soon after it was written that it may have been read half-written (an empty or
    /// truncated file parses as fewer objects, not as an error): it is read again at the next scan.
    public var hasUnsettledFiles: Bool { files.values.contains { $0.signature == nil && $0.failure == nil } }

    /// The files that loaded clean, each as the digest of its bytes and its objects: what the ``ManifestCache``
    /// keeps.
    public var cacheable: [(digest: ContentDigest, objects: [KubeObject])] {
        files.values.compactMap { file in
            guard let digest = file.digest, file.failure == nil else { return nil }
            return (digest, file.objects.objects)
        }
    }

    /// The digests of the files that loaded clean.
    public var cacheableDigests: Set<ContentDigest> {
        Set(files.values.lazy.compactMap { $0.failure == nil ? $0.digest : nil })
    }

    /// Whether `path` is loaded.
    public func contains(_ path: String) -> Bool { files[path] != nil }

    /// The committed view of every file (built on demand: for tests and diagnostics).
    public var snapshot: ObjectSnapshot {
        var objects: [ObjectID: KubeObject] = [:]
        for id in definers.ids {
            if let object = winner(id), pending[id] == nil { objects[id] = object }
        }
        for (id, old) in pending {
            if let old { objects[id] = old }
        }
        return ObjectSnapshot(objects)
    }

    /// Records the new content of `path` (or its failure to load). Returns what to report.
    public mutating func load(
        _ path: String, signature: FileSignature?, content: Result<ManifestFile, ManifestError>
    ) -> [ManifestDiagnostic] {
        let previous = files[path]?.objects ?? FileObjects()
        switch content {
        case .failure(let error):
            files[path] = FileState(signature: signature, objects: previous, failure: error)
            return [.fileFailed(error)]
        case .success(let file):
            var diagnostics: [ManifestDiagnostic] = file.ignoredKinds.map { .ignoredKind(kind: $0, file: path) }
            var objects = FileObjects(file.accepted.map(\.object))
            for accepted in file.accepted { diagnostics += accepted.warnings.map(ManifestDiagnostic.dropped) }
            for rejected in file.rejected {
                var kept = false
                if let id = rejected.id, objects[id] == nil, let old = previous[id] {
                    objects[id] = old
                    kept = true
                }
                diagnostics.append(.rejected(rejected.error, keptPrevious: kept))
            }
            replace(
                path, with: FileState(signature: signature, objects: objects, digest: file.digest), previous: previous)
            return diagnostics
        }
    }

    /// Forgets a deleted file.
    public mutating func remove(_ path: String) {
        guard let previous = files[path]?.objects else { return }
        replace(path, with: nil, previous: previous)
    }

    /// Returns the changes since the last commit: only objects of files loaded or removed since then are
    /// compared. Order: Service upserts, slice upserts, slice deletes, Service deletes; by id within each.
    public mutating func commit() -> (changes: [ObjectChange], diagnostics: [ManifestDiagnostic]) {
        var upserts: [KubeObject] = []
        var deletes: [KubeObject] = []
        var diagnostics: [ManifestDiagnostic] = []
        for id in pending.keys.sorted() {
            let old = pending[id] ?? nil
            let new = winner(id)
            if let new, new != old {
                upserts.append(new)
            } else if new == nil, let old {
                deletes.append(old)
            }
            guard let paths = definers.duplicates(of: id) else { continue }
            for path in paths.dropFirst() where reportedDuplicates.insert("\(id) \(paths[0]) \(path)").inserted {
                diagnostics.append(.duplicate(id, used: paths[0], ignored: path))
            }
        }
        pending = [:]
        // Stable sorts: the Node, then Services, then slices (deletes the other way), each in path order.
        let order = { (objects: [KubeObject], sign: Int) -> [KubeObject] in
            objects.enumerated()
                .sorted {
                    (sign * $0.element.kind.deliveryOrder, $0.offset) < (
                        sign * $1.element.kind.deliveryOrder, $1.offset
                    )
                }
                .map(\.element)
        }
        let services = order(upserts, 1)
        let removed = order(deletes, -1)
        return (services.map(ObjectChange.upsert) + removed.map(ObjectChange.delete), diagnostics)
    }

    /// The version of `id` in force: the one of the first file (in path order) defining it.
    func winner(_ id: ObjectID) -> KubeObject? {
        guard let path = definers.winner(of: id) else { return nil }
        return files[path]?.objects[id]
    }

    private mutating func replace(_ path: String, with state: FileState?, previous: FileObjects) {
        let current = state?.objects ?? FileObjects()
        for id in previous.ids where pending[id] == nil {
            pending[id] = .some(winner(id))
        }
        for id in current.ids where pending[id] == nil {
            pending[id] = .some(winner(id))
        }
        files[path] = state
        for id in previous.ids where current[id] == nil { definers.remove(path, for: id) }
        for id in current.ids where previous[id] == nil { definers.add(path, for: id) }
    }
}
