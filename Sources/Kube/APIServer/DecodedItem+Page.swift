import Foundation

extension DecodedItem {
    /// Decodes and validates a list page's items, and reads its metadata. With a cache to take from, the page's
    /// outline (``JSONOutline``) is found first: each item the cache holds at its resourceVersion is taken, the others
    /// are decoded one by one. A page whose outline cannot be followed, and every page without such a cache, is
    /// decoded whole. Items that loaded clean are recorded for the next cache.
    public static func page<Resource: KubeResource>(
        _ bytes: [UInt8], _ type: Resource.Type, cache: APIObjectCacheSession?
    ) throws -> (items: [DecodedItem], metadata: ListMeta) {
        let decoder = JSONDecoder()
        if let cache, cache.canTake, let outline = try? JSONOutline(bytes).list() {
            let metadata = try outline.metadata.map { try decoder.decode(ListMeta.self, from: Data(bytes[$0])) }
            let items = try outline.items.map { item in
                if let taken = cache.take(item) { return taken }
                let resource = try decoder.decode(Resource.self, from: Data(bytes[item.range]))
                let decoded = DecodedItem.from(resource)
                cache.record(decoded, uid: resource.metadata.uid)
                return decoded
            }
            return (items, metadata ?? ListMeta())
        }
        let page = try decoder.decode(ObjectList<Resource>.self, from: Data(bytes))
        let items = page.items.map { resource in
            let decoded = DecodedItem.from(resource)
            cache?.record(decoded, uid: resource.metadata.uid)
            return decoded
        }
        return (items, page.metadata)
    }
}
