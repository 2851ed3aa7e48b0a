import Foundation
import FuzzDriver
import Kube

/// Fuzz target: a watch body cut into chunks, through the API watcher's line buffer, each line decoded as a watch
/// event and validated (`WatchInput.from`), or the whole body decoded as a list page and its items validated.
///
/// Input: byte 0 is the chunk size minus one; byte 1 holds the mode (bits 0-1: Service, EndpointSlice or Node
/// watch, or a list page) and the line limit (bits 2-5: 64 << n bytes); the rest is the body.
enum WatchStreamFuzz {
    static func run(_ input: [UInt8]) {
        guard input.count >= 2 else { return }
        let chunkSize = Int(input[0]) + 1
        let mode = input[1] & 3
        let limit = 64 << Int(input[1] >> 2 & 0x0f)
        let body = input[2...]
        if mode == 3 {
            page(Service.self, body)
            page(EndpointSlice.self, body)
            return
        }
        var buffer = WatchLineBuffer(maximumLineLength: limit)
        var lines: [[UInt8]] = []
        var overflows = 0
        var start = body.startIndex
        while start < body.endIndex {
            let end = min(start + chunkSize, body.endIndex)
            let output = buffer.append(body[start..<end])
            lines += output.lines
            overflows += output.overflows
            start = end
        }
        let rest = buffer.finish()
        // How the body is cut into chunks must not change the lines.
        var whole = WatchLineBuffer(maximumLineLength: limit)
        let once = whole.append(body)
        precondition(once.lines == lines && once.overflows == overflows, "chunking changed the lines")
        precondition(whole.finish() == rest, "chunking changed the unterminated rest")
        for line in lines + (rest.map { [$0] } ?? []) {
            precondition(!line.contains(UInt8(ascii: "\n")) && line.count <= limit, "a line broke the buffer's rules")
            switch mode {
            case 0: event(Service.self, line)
            case 1: event(EndpointSlice.self, line)
            default: event(ClusterNode.self, line)
            }
        }
    }

    static func event<Resource: KubeResource>(_ type: Resource.Type, _ line: [UInt8]) {
        guard let event = try? JSONDecoder().decode(WatchEvent<Resource>.self, from: Data(line)) else { return }
        // The validated object of an upsert or a delete (the other kinds of input carry no object).
        switch WatchInput.from(event) {
        case .upsert(let item), .delete(let item): _ = (item.key, item.resourceVersion)
        default: break
        }
    }

    static func page<Resource: KubeResource>(_ type: Resource.Type, _ body: ArraySlice<UInt8>) {
        guard let page = try? JSONDecoder().decode(ObjectList<Resource>.self, from: Data(body)) else { return }
        for item in page.items { _ = DecodedItem.from(item).key }
    }
}

/// libFuzzer's entry point: one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    WatchStreamFuzz.run(FuzzDriver.bytes(data, size))
    return 0
}

@main enum Main {
    static func main() { FuzzDriver.main(fuzzTestOneInput, replay: WatchStreamFuzz.run) }
}
