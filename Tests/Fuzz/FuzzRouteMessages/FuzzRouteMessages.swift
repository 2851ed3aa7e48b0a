import Foundation
import IPVS

/// Fuzz target: rtnetlink messages: the VIP link's `localAddresses()` (a link dump, then an address dump) answered
/// with fuzzed kernel replies through the real exchange loop and decoders (`NetlinkReplay`), and each datagram read
/// as an address-change notification (`AddressEvents`).
///
/// Input: datagrams, each a little-endian 16-bit length and that many bytes.
enum RouteMessagesFuzz {
    static func run(_ input: [UInt8]) {
        let replies = datagrams(input)
        for datagram in replies { _ = NetlinkReplay.holdsAddressChange(datagram) }
        _ = try? NetlinkReplay.localAddresses(answering: replies)
    }
}

/// Splits the input into datagrams: a 16-bit little-endian length, then the bytes (the last may be short).
func datagrams(_ input: [UInt8]) -> [[UInt8]] {
    var out: [[UInt8]] = []
    var offset = 0
    while offset + 2 <= input.count {
        let length = Int(input[offset]) | Int(input[offset + 1]) << 8
        let end = min(offset + 2 + length, input.count)
        out.append(Array(input[(offset + 2)..<end]))
        offset = end
    }
    return out
}

/// libFuzzer's entry point: one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    RouteMessagesFuzz.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
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
                RouteMessagesFuzz.run(FileManager.default.contents(atPath: path).map { Array($0) } ?? [])
            }
        #endif
    }
}
