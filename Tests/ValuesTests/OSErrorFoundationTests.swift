import Foundation
import Testing
import Values

@Suite struct OSErrorFoundationTests {
    @Test func aMissingDirectoryReadsAsItsErrnoTheSameEveryTime() throws {
        let path = "/nonexistent-\(UUID().uuidString)"
        var texts = Set<String>()
        for _ in 0..<20 {
            do {
                _ = try FileManager.default.contentsOfDirectory(atPath: path)
            } catch {
                #expect(OSError(foundation: error)?.errno == ENOENT)
                texts.insert(OSError.text(of: error))
            }
        }
        #expect(texts == ["No such file or directory"])
    }

    @Test func anErrorWithoutAPOSIXCauseKeepsItsOwnDescription() {
        struct Other: Error, CustomStringConvertible { var description: String { "other" } }
        #expect(OSError(foundation: Other()) == nil)
        #expect(OSError.text(of: Other()) == "other")
    }
}
