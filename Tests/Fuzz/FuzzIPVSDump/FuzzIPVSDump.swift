import Foundation
import FuzzDriver
import IPVS

/// Fuzz target: the IPVS client's dump path (`virtualServers()`: the service dump, then one real-server dump per
/// service) answered with fuzzed kernel replies, through the real exchange loop and the IPVS decoders
/// (`NetlinkReplay`).
///
/// Input: datagrams, each a little-endian 16-bit length and that many bytes.
enum IPVSDumpFuzz {
    static func run(_ input: [UInt8]) {
        _ = try? NetlinkReplay.virtualServers(answering: datagrams(input))
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
    IPVSDumpFuzz.run(FuzzDriver.bytes(data, size))
    return 0
}

@main enum Main {
    static func main() { FuzzDriver.main(fuzzTestOneInput, replay: IPVSDumpFuzz.run) }
}
