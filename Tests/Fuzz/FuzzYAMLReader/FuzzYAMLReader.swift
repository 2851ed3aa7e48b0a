import FuzzDriver
import Kube

/// Fuzz target: the fast reader of block YAML against Yams' parser. Wherever the reader accepts a text, its nodes
/// must be Yams' (``YAMLBlockReader/disagreement(_:)``); a difference stops the run with both readings.
enum YAMLReaderFuzz {
    static func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        if let difference = YAMLBlockReader.disagreement(text) { fatalError("\(difference)\nin:\n\(text)") }
    }
}

/// libFuzzer's entry point: one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    YAMLReaderFuzz.run(FuzzDriver.bytes(data, size))
    return 0
}

@main enum Main {
    static func main() { FuzzDriver.main(fuzzTestOneInput, replay: YAMLReaderFuzz.run) }
}
