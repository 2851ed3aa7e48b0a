import Foundation
import Health

/// Fuzz target: the HTTP health probe's judgement of a status line (`HTTPStatusJudge`). Input: bytes 0-1 and 2-3
/// are the accepted status range's bounds (little-endian, ordered), the rest is the line.
enum HTTPStatusLineFuzz {
    static func run(_ input: [UInt8]) {
        guard input.count >= 4 else { return }
        let a = Int(input[0]) | Int(input[1]) << 8
        let b = Int(input[2]) | Int(input[3]) << 8
        let line = input[4...]
        let failure = HTTPStatusJudge.judge(statusLine: line, statuses: min(a, b)...max(a, b))
        // A pass needs an HTTP status line (spaces before it are tolerated).
        precondition(
            failure != nil || line.drop(while: { $0 == UInt8(ascii: " ") }).starts(with: Array("HTTP/".utf8)),
            "passed a line that is not HTTP")
    }
}

/// libFuzzer's entry point: one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    HTTPStatusLineFuzz.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
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
                HTTPStatusLineFuzz.run(FileManager.default.contents(atPath: path).map { Array($0) } ?? [])
            }
        #endif
    }
}
