import Foundation
import TestSupport
import Testing

@testable import Kube

/// A file read in the moment it is written may have been read empty or cut short, which parses as fewer objects,
/// not as an error: the scanner says it is settling until a scan reads it with an mtime older than the settle
/// time, and the source does not say `synced` before (`ManifestsSourceTests.brokenFileAtStartHoldsTheStartBack`
/// writes its fixed file in place during the start: without this it could be read empty and the start counted
/// whole before the file's Service).
@Suite struct ManifestSettlingTests {
    @Test func aFreshlyWrittenFileIsSettlingUntilItIsReadOld() throws {
        let directory = try TemporaryDirectory()
        var scanner = ManifestsDirectoryScanner(directory: directory.path)
        try directory.write("a.yaml", "")
        // "Just written", however loaded the machine: an mtime a minute ahead of the scan.
        let fresh = Date(timeIntervalSinceNow: 60)
        try FileManager.default.setAttributes([.modificationDate: fresh], ofItemAtPath: directory.file("a.yaml"))
        _ = scanner.scan()
        #expect(scanner.incomplete.isEmpty)
        #expect(scanner.settling, "read within the settle time of its mtime")
        // The mtime an hour back: the next scan reads it again, now settled.
        let old = Date(timeIntervalSinceNow: -3600)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: directory.file("a.yaml"))
        _ = scanner.scan()
        #expect(!scanner.settling)
    }
}
