import Foundation
import FuzzDriver
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
    HTTPStatusLineFuzz.run(FuzzDriver.bytes(data, size))
    return 0
}

@main enum Main {
    static func main() { FuzzDriver.main(fuzzTestOneInput, replay: HTTPStatusLineFuzz.run) }
}
