import Foundation
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
    ManifestFileFuzz.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

#if FUZZING
    /// libFuzzer's driver (libclang_rt.fuzzer), linked by `-sanitize=fuzzer`.
    @_extern(c, "LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt
#endif

/// Built with `-DFUZZING` (scripts/fuzz): libFuzzer's driver with the command line's options. A plain build: runs
/// each file named on the command line once, to replay a crash without the sanitizers.
@main enum Main {
    static func main() {
        #if FUZZING
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(runFuzzerDriver(&argc, &argv, fuzzTestOneInput))
        #else
            for path in CommandLine.arguments.dropFirst() {
                ManifestFileFuzz.run(FileManager.default.contents(atPath: path).map { Array($0) } ?? [])
            }
        #endif
    }
}
