import Foundation

/// Scans a manifests directory once per call and returns the changes since the previous scan. The
/// ``ManifestsDirectorySource`` calls it on a timer; tests call it directly.
///
/// Only regular files (symlinks are followed) directly in the directory whose names end in `.yaml`, `.yml`
/// or `.json` are read; names starting with `.` are skipped (editor swap files, ConfigMap `..data`). A file
/// is re-read only when its ``FileSignature`` changes. A file whose signature changes while it is being read
/// is retried on the next scan. Because the kernel stamps mtimes from a coarse clock (a few ms), two
/// same-size edits in one tick could share a signature; so a file modified less than ``settleTime`` before
/// a scan is read again at the next scan too (unchanged content then yields no change).
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

    /// Reads what changed and returns the resulting object changes and what to report.
    public mutating func scan() -> (changes: [ObjectChange], diagnostics: [ManifestDiagnostic]) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            let failure = ManifestError(code: .directory, message: "cannot list directory: \(error)", file: directory)
            return ([], [.fileFailed(failure)])
        }
        let now = FileSignature.now()
        var diagnostics: [ManifestDiagnostic] = []
        var present: Set<String> = []
        var loaded = false
        for name in names.sorted() where Self.isManifestName(name) {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let signature = FileSignature.of(path) else { continue }
            present.insert(path)
            guard signature != state.signature(of: path) else { continue }
            let content: Result<ManifestFile, ManifestError>
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                guard FileSignature.of(path) == signature else { continue }
                guard let text = String(data: data, encoding: .utf8) else {
                    throw ManifestError(code: .unreadable, message: "not UTF-8 text", file: path)
                }
                content = .success(try ManifestFile.parse(text, path: path))
            } catch let error as ManifestError {
                content = .failure(error)
            } catch {
                content = .failure(ManifestError(code: .unreadable, message: "\(error)", file: path))
            }
            let settled = now - signature.modified > Self.settleTime
            diagnostics += state.load(path, signature: settled ? signature : nil, content: content)
            loaded = true
        }
        for path in state.paths where !present.contains(path) {
            state.remove(path)
            loaded = true
        }
        // Merging is proportional to every object of every file: skip it when no file was read or removed.
        guard loaded else { return ([], diagnostics) }
        let (changes, mergeDiagnostics) = state.commit()
        return (changes, diagnostics + mergeDiagnostics)
    }
}
