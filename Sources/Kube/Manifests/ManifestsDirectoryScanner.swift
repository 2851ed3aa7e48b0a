import Foundation
import Values

/// Reads a manifests directory and returns the changes since the previous call. The ``ManifestsDirectorySource``
/// updates for the files inotify reports and scans at start and as a slow safety net (or on a timer when inotify
/// is unavailable), each in three steps (``Batch``) so that it can parse files in parallel; tests call ``scan()``
/// and ``update(names:)``, which take the same steps one file after another.
///
/// Only regular files (symlinks are followed) directly in the directory whose names end in `.yaml`, `.yml`
/// or `.json` are read; names starting with `.` are skipped (editor swap files, ConfigMap `..data`). A scan
/// re-reads a file only when its ``FileSignature`` changes. A file whose signature changes while it is being read
/// is retried on the next scan. Because the kernel stamps
/// mtimes from a coarse clock (a few ms), two same-size edits in one tick could share a signature; so a file
/// modified less than ``settleTime`` before a scan is read again at the next scan too (unchanged content then
/// yields no change). ``update(names:)`` always re-reads the files it is given.
/// If the directory cannot be listed (missing, unmounted), nothing changes and the error is reported: an
/// absent directory never deletes everything; an empty one does (the proxy then holds back its first sync when
/// it owns virtual servers; see `--allow-empty-source`). ``incomplete`` says what keeps a scan from being whole.
/// See ``ManifestDirectoryState`` for what edits and errors do to the objects.
public struct ManifestsDirectoryScanner: Sendable {
    /// The directory.
    public let directory: String
    /// What has been loaded so far.
    public private(set) var state = ManifestDirectoryState()
    /// Why the last scan could not list the directory; nil once a scan could.
    public private(set) var directoryFailure: ManifestError?

    /// What keeps the directory from being read whole: the directory itself, if the last scan could not list
    /// it, then each file whose last reading failed. Empty when everything the directory holds is loaded. A
    /// source waits for this to be empty before saying it has the whole truth (``SourceEvent/synced``).
    public var incomplete: [ManifestError] { (directoryFailure.map { [$0] } ?? []) + state.failedFiles }

    /// Whether a file read by the last scan was modified less than ``settleTime`` before it: what it held may not
    /// be what it holds, so a start is not whole until the next scan has read it again.
    public var settling: Bool { state.hasUnsettledFiles || !deferred.isEmpty }

    /// The files a start read too soon after they were written, and left unloaded for the next scan
    /// (``finish(_:reading:defersUnsettled:)``).
    public private(set) var deferred: Set<String> = []

    /// How many files were loaded from the ``ManifestCache`` (read, not parsed) since the scanner was made.
    public private(set) var filesFromCache = 0

    /// The largest manifests file read, 16 MiB: a bigger one is refused before it is read (a broken file: its
    /// previous objects stay, and at start it keeps the first sync back as any broken file does).
    public static let maximumFileBytes = 16 << 20

    static func tooLarge(_ path: String, bytes: Int64) -> ManifestError {
        ManifestError(
            code: .tooLarge,
            message: "\(bytes) bytes, more than the \(maximumFileBytes)-byte limit on a manifests "
                + "file; not read (split it into several files)", file: path)
    }

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
    /// resulting object changes and what to report. Reads on the calling thread, one file after another.
    /// `defersUnsettled`: as for ``finish(_:reading:defersUnsettled:)``.
    public mutating func scan(defersUnsettled: Bool = false) -> (
        changes: [ObjectChange], diagnostics: [ManifestDiagnostic]
    ) {
        let batch = prepareScan()
        return finish(batch, reading: batch.files.map { Self.read($0) }, defersUnsettled: defersUnsettled)
    }

    /// Re-reads the named files of the directory (names as inotify reports them; others are ignored): a file
    /// that is gone, or no longer a regular file, is forgotten. Returns the resulting changes. Reads on the
    /// calling thread, one file after another.
    public mutating func update(names: some Sequence<String>) -> (
        changes: [ObjectChange], diagnostics: [ManifestDiagnostic]
    ) {
        let batch = prepareUpdate(names: names)
        return finish(batch, reading: batch.files.map { Self.read($0) })
    }

    /// What a scan or an update found to read, before reading it: ``scan()`` and ``update(names:)`` are
    /// ``prepareScan()`` or ``prepareUpdate(names:)``, then ``read(_:)`` of each file (which needs no state, so
    /// ``ManifestsDirectorySource`` spreads it over its thread pool), then ``finish(_:reading:)``.
    public struct Batch: Sendable {
        /// A file to read, with the signature it had when listed.
        public typealias File = (path: String, signature: FileSignature)
        /// The files to read, in path order.
        public var files: [File] = []
        /// A scan: the paths present (every other one is forgotten). Nil for an update.
        var present: Set<String>?
        /// The directory could not be listed: nothing changes, this is reported.
        var failure: ManifestDiagnostic?
        /// The time the files were listed (a file modified less than ``settleTime`` before is read again next
        /// time).
        var listed = FileSignature.now()

        /// The files in `range` as a batch of their own, to be finished before the rest (their changes delivered
        /// while the rest is read). Only the `last` piece of a scan carries the paths present, so that vanished
        /// files are forgotten once, after every file was loaded.
        func piece(_ range: Range<Int>, last: Bool = false) -> Batch {
            Batch(files: Array(files[range]), present: last ? present : nil, failure: failure, listed: listed)
        }
    }

    /// Lists the directory and `stat`s its files: the files whose signature changed are to be read.
    public mutating func prepareScan() -> Batch {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            let failure = ManifestError(
                code: .directory, message: "cannot list directory: \(OSError.text(of: error))", file: directory)
            return Batch(failure: .fileFailed(failure))
        }
        var batch = Batch(present: [])
        for name in names.sorted() where Self.isManifestName(name) {
            let path = path(of: name)
            guard let signature = FileSignature.of(path) else { continue }
            batch.present?.insert(path)
            if signature != state.signature(of: path) { batch.files.append((path, signature)) }
        }
        batch.listed = FileSignature.now()
        return batch
    }

    /// `stat`s the named files: those present are to be read, the others are forgotten at once.
    public mutating func prepareUpdate(names: some Sequence<String>) -> Batch {
        var batch = Batch()
        for name in Set(names).sorted() where Self.isManifestName(name) {
            let path = path(of: name)
            if let signature = FileSignature.of(path) {
                batch.files.append((path, signature))
            } else {
                state.remove(path)
            }
        }
        batch.listed = FileSignature.now()
        return batch
    }

    /// Loads what ``read(_:)`` made of each of the batch's files (in the batch's order), forgets vanished files,
    /// and returns the resulting object changes and what to report.
    ///
    /// With `defersUnsettled` (a start), a file that changed while it was read, or was modified less than
    /// ``settleTime`` before it was listed, is not loaded at all: it may have been read half-written, and a
    /// half-written file parses as other valid objects (a cluster IP cut short is another address), which no
    /// delivery should ever hold. It stays ``deferred``, so ``settling``, and the next scan reads it again.
    /// Otherwise it is loaded and read again next time (its changes are applied as they come).
    public mutating func finish(
        _ batch: Batch, reading contents: [Result<ManifestFile, ManifestError>?], defersUnsettled: Bool = false
    ) -> (changes: [ObjectChange], diagnostics: [ManifestDiagnostic]) {
        if let failure = batch.failure {
            if case .fileFailed(let error) = failure { directoryFailure = error }
            return ([], [failure])
        }
        if batch.present != nil { directoryFailure = nil }
        var diagnostics: [ManifestDiagnostic] = []
        for case .success(let file)? in contents where file.fromCache { filesFromCache += 1 }
        for (file, content) in zip(batch.files, contents) {
            let settled = batch.listed - file.signature.modified > Self.settleTime
            // Changed while being read: read again next time (a start waits for that: it was not read whole).
            guard let content else {
                if defersUnsettled { deferred.insert(file.path) }
                continue
            }
            if defersUnsettled && !settled {
                deferred.insert(file.path)
                continue
            }
            deferred.remove(file.path)
            diagnostics += state.load(file.path, signature: settled ? file.signature : nil, content: content)
        }
        if let present = batch.present {
            for path in state.paths where !present.contains(path) {
                state.remove(path)
            }
            deferred.formIntersection(present)
        }
        let (changes, mergeDiagnostics) = state.commit()
        return (changes, diagnostics + mergeDiagnostics)
    }

    /// Reads and parses one file of a batch; nil when it changed while being read (it is read again later). A file
    /// whose bytes `cache` holds the objects of is read but not parsed.
    public static func read(_ file: Batch.File, cache: ManifestCache? = nil) -> Result<ManifestFile, ManifestError>? {
        read(file.path, signature: file.signature, cache: cache)
    }

    /// Reads and parses one file; nil when it changed while being read (it is read again later).
    static func read(
        _ path: String, signature: FileSignature, cache: ManifestCache? = nil
    ) -> Result<ManifestFile, ManifestError>? {
        do {
            guard signature.size <= maximumFileBytes else { throw tooLarge(path, bytes: signature.size) }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                // Removed or replaced since it was listed: its own event follows, as for a change mid-read.
                guard FileSignature.of(path) == signature else { return nil }
                throw ManifestError(code: .unreadable, message: "cannot open the file", file: path)
            }
            defer { try? handle.close() }
            // Never more than the limit in memory, even when the file grew after it was listed.
            let data = try handle.read(upToCount: maximumFileBytes + 1) ?? Data()
            guard data.count <= maximumFileBytes else { throw tooLarge(path, bytes: Int64(data.count)) }
            guard FileSignature.of(path) == signature else { return nil }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ManifestError(code: .unreadable, message: "not UTF-8 text", file: path)
            }
            // Over the text's bytes (the file's, read as UTF-8), not through `Data`'s iterator, which a profile of the
            // restart found among its busiest symbols.
            let digest = ContentDigest(of: text.utf8)
            if let objects = cache?.objects(for: digest) {
                return .success(ManifestFile(cached: objects, digest: digest))
            }
            var file = try ManifestFile.parse(text, path: path)
            if file.isClean { file.digest = digest }
            return .success(file)
        } catch let error as ManifestError {
            return .failure(error)
        } catch {
            return .failure(ManifestError(code: .unreadable, message: OSError.text(of: error), file: path))
        }
    }
}
