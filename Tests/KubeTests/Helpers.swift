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

func key(_ text: String) -> ObjectKey {
    let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
    return ObjectKey(namespace: parts[0], name: parts.count > 1 ? parts[1] : "")
}

extension ObjectSource {
    /// Runs the source as a ``SourceService`` in a child task while `body` reads its events; when `body` returns,
    /// the source is cancelled and awaited. A source that throws ends the events early; the test then misses the
    /// events it waits for.
    func withEvents<T: Sendable>(
        _ body: (inout AsyncStream<SourceEvent>.Iterator) async throws -> T
    ) async throws -> T {
        let service = SourceService(self)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            defer { group.cancelAll() }
            var events = service.events.makeAsyncIterator()
            return try await body(&events)
        }
    }
}
