import Foundation

/// Reads a manifests directory and returns the changes since the previous call. The ``ManifestsDirectorySource``
/// calls ``update(names:)`` for the files inotify reports and ``scan()`` at start and as a slow safety net (or on
/// a timer when inotify is unavailable); tests call both directly.
///
/// Only regular files (symlinks are followed) directly in the directory whose names end in `.yaml`, `.yml`
/// or `.json` are read; names starting with `.` are skipped (editor swap files, ConfigMap `..data`). A scan
/// re-reads a file only when its ``FileSignature`` changes; files are parsed in parallel, one worker per core. A
/// file whose signature changes while it is being read is retried on the next scan. Because the kernel stamps
/// mtimes from a coarse clock (a few ms), two same-size edits in one tick could share a signature; so a file
/// modified less than ``settleTime`` before a scan is read again at the next scan too (unchanged content then
/// yields no change). ``update(names:)`` always re-reads the files it is given.
/// If the directory cannot be listed (missing, unmounted), nothing changes and the error is reported: an
/// absent directory never deletes everything; an empty one does.
/// See ``ManifestDirectoryState`` for what edits and errors do to the objects.
public struct ManifestsDirectoryScanner: Sendable {
    /// The directory.
    public let directory: String
    /// What has been loaded so far.
    public private(set) var state = ManifestDirectoryState()

    /// How old a file's mtime must be for its signature to be trusted.
    public static let settleTime: Duration = .milliseconds(100)

    /// Creates a scanner; nothing is read until ``scan()``.
    public init(directory: String) {
        self.directory = directory
    }

    /// True for the file names the scanner reads.
    public static func isManifestName(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json"))
    }

    /// The path of the file `name` in the directory.
    public func path(of name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Lists the directory, reads every file whose signature changed, forgets vanished files, and returns the
    /// resulting object changes and what to report.
    public mutating func scan() -> (changes: [ObjectChange], diagnostics: [ManifestDiagnostic]) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            let failure = ManifestError(code: .directory, message: "cannot list directory: \(error)", file: directory)
            return ([], [.fileFailed(failure)])
        }
        var present: Set<String> = []
        var stale: [(path: String, signature: FileSignature)] = []
        for name in names.sorted() where Self.isManifestName(name) {
            let path = path(of: name)
            guard let signature = FileSignature.of(path) else { continue }
            present.insert(path)
            if signature != state.signature(of: path) { stale.append((path, signature)) }
        }
        let diagnostics = load(stale)
        for path in state.paths where !present.contains(path) {
            state.remove(path)
        }
        let (changes, mergeDiagnostics) = state.commit()
        return (changes, diagnostics + mergeDiagnostics)
    }

    /// Re-reads the named files of the directory (names as inotify reports them; others are ignored): a file
    /// that is gone, or no longer a regular file, is forgotten. Returns the resulting changes.
    public mutating func update(names: some Sequence<String>) -> (
        changes: [ObjectChange], diagnostics: [ManifestDiagnostic]
    ) {
        var stale: [(path: String, signature: FileSignature)] = []
        for name in Set(names).sorted() where Self.isManifestName(name) {
            let path = path(of: name)
            if let signature = FileSignature.of(path) {
                stale.append((path, signature))
            } else {
                state.remove(path)
            }
        }
        let diagnostics = load(stale)
        let (changes, mergeDiagnostics) = state.commit()
        return (changes, diagnostics + mergeDiagnostics)
    }

    /// Reads and parses `files` (in parallel when there are several) and loads them into the state, in order.
    private mutating func load(_ files: [(path: String, signature: FileSignature)]) -> [ManifestDiagnostic] {
        let now = FileSignature.now()
        let contents = ParallelMap.map(files) { Self.read($0.path, signature: $0.signature) }
        var diagnostics: [ManifestDiagnostic] = []
        for (file, content) in zip(files, contents) {
            guard let content else { continue }
            let settled = now - file.signature.modified > Self.settleTime
            diagnostics += state.load(file.path, signature: settled ? file.signature : nil, content: content)
        }
        return diagnostics
    }

    /// Reads and parses one file; nil when it changed while being read (it is read again later).
    static func read(_ path: String, signature: FileSignature) -> Result<ManifestFile, ManifestError>? {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard FileSignature.of(path) == signature else { return nil }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ManifestError(code: .unreadable, message: "not UTF-8 text", file: path)
            }
            return .success(try ManifestFile.parse(text, path: path))
        } catch let error as ManifestError {
            return .failure(error)
        } catch {
            return .failure(ManifestError(code: .unreadable, message: "\(error)", file: path))
        }
    }
}
