import Foundation
import FuzzDriver
import Kube

/// Fuzz target: what `read(2)` returns from the manifests directory's inotify descriptor (`InotifyEvents.decode`).
/// Input: byte 0 picks which names count as regular files (by the parity of their length plus it), the rest is the
/// events. Checks that a batch never holds a name the watcher cannot act on, and that the events read in two reads
/// (split after the first record) say what they say in one.
enum InotifyEventsFuzz {
    static func run(_ input: [UInt8]) {
        guard let salt = input.first else { return }
        let bytes = input[1...]
        let isRegularFile = { (name: String) in (name.utf8.count + Int(salt)) % 2 == 0 }
        var whole = InotifyEvents.Batch()
        InotifyEvents.decode(bytes, into: &whole, isRegularFile: isRegularFile)
        for name in whole.names {
            precondition(!name.isEmpty && !name.utf8.contains(0) && !name.hasPrefix(".."), "unusable name \(name)")
        }
        // The first record's end: its 16-byte header, then its name's length.
        guard bytes.count >= 16 else { return }
        let length = bytes.dropFirst(12).prefix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
        let split = bytes.startIndex + min(bytes.count, 16 + length)
        var parts = InotifyEvents.Batch()
        InotifyEvents.decode(bytes[..<split], into: &parts, isRegularFile: isRegularFile)
        InotifyEvents.decode(bytes[split...], into: &parts, isRegularFile: isRegularFile)
        precondition(parts == whole, "two reads decode differently from one")
    }
}

/// libFuzzer's entry point: one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    InotifyEventsFuzz.run(FuzzDriver.bytes(data, size))
    return 0
}

@main enum Main {
    static func main() { FuzzDriver.main(fuzzTestOneInput, replay: InotifyEventsFuzz.run) }
}
