import Foundation
import FuzzDriver
import Kube

/// Fuzz target: the manifests directory's file parser (`ManifestFile.parse`: YAML documents through the one YAML
/// object decoder, and JSON), with a small object limit so that the size-measuring path runs too. The input is the
/// file's text, read both as a `.yaml` and as a `.json` file.
enum ManifestFileFuzz {
    static func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        for path in ["fuzz.yaml", "fuzz.json"] {
            guard let file = try? ManifestFile.parse(text, path: path, objectLimit: 4096) else { continue }
            _ = (file.accepted.count, file.rejected.map(\.error.message), file.ignoredKinds)
        }
    }
}

/// libFuzzer's entry point: one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    ManifestFileFuzz.run(FuzzDriver.bytes(data, size))
    return 0
}

@main enum Main {
    static func main() { FuzzDriver.main(fuzzTestOneInput, replay: ManifestFileFuzz.run) }
}
