import Foundation

#if FUZZING
    /// libFuzzer's driver (libclang_rt.fuzzer), linked by `-sanitize=fuzzer`.
    @_extern(c, "LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt
#endif

/// What every fuzz target (Tests/Fuzz/<target>, docs/testing.md) shares: its `main`, and the bytes of an input.
/// A target keeps only its own `LLVMFuzzerTestOneInput`, the symbol libFuzzer looks for.
public enum FuzzDriver {
    /// Built with `-DFUZZING` (scripts/fuzz): runs libFuzzer's driver with the command line's options, `test`
    /// taking each input. A plain build: hands each file named on the command line to `replay` once, to replay a
    /// crash without the sanitizers.
    public static func main(
        _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt, replay: ([UInt8]) -> Void
    ) -> Never {
        #if FUZZING
            var argc = CommandLine.argc
            var argv = CommandLine.unsafeArgv
            exit(runFuzzerDriver(&argc, &argv, test))
        #else
            for path in CommandLine.arguments.dropFirst() {
                replay(FileManager.default.contents(atPath: path).map { Array($0) } ?? [])
            }
            exit(0)
        #endif
    }

    /// The input libFuzzer hands to `LLVMFuzzerTestOneInput`, as bytes.
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    }
}
