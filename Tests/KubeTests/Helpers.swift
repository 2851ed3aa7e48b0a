import Foundation

@testable import Kube

extension KubeObject {
    var service: ValidatedService? {
        if case .service(let service) = self { return service }
        return nil
    }
    var slice: ValidatedEndpointSlice? {
        if case .endpointSlice(let slice) = self { return slice }
        return nil
    }
}

extension ObjectChange {
    /// `upsert services/default/web`, for compact expectations.
    var summary: String { description }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func key(_ text: String) -> ObjectKey {
    let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
    return ObjectKey(namespace: parts[0], name: parts.count > 1 ? parts[1] : "")
}

extension ObjectSource {
    /// The source's events as a stream, the source running in a task that ends when the stream is dropped
    /// (tests only: the proxy runs sources structured, see ``SourceService``). A source that throws ends the
    /// stream early; the test then misses the events it waits for.
    func events() -> AsyncStream<SourceEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: SourceEvent.self)
        let task = Task {
            defer { continuation.finish() }
            try await run { continuation.yield($0) }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
