import Foundation
import Settings

/// Fuzz target: the config file reader (`ConfigFile.parse`: ipvs-proxy's own shape or kube-proxy's
/// KubeProxyConfiguration), then the settings resolved from it (`ProxySettings.resolve`: every value parsed and
/// checked). The input is the file's text.
enum ConfigFileFuzz {
    static func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        guard let layer = try? ConfigFile.parse(text, path: "fuzz.yaml") else { return }
        _ = try? ProxySettings.resolve([layer])
    }
}

/// libFuzzer's entry point: one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    ConfigFileFuzz.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
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
                ConfigFileFuzz.run(FileManager.default.contents(atPath: path).map { Array($0) } ?? [])
            }
        #endif
    }
}
