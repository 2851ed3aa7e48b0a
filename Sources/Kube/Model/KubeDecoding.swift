import Foundation
import Yams

/// Decoding entry points: JSON (the API server's wire format, via `JSONDecoder`) and YAML (via Yams).
public enum KubeDecoding {
    /// Decodes a list response (`ServiceList`, `EndpointSliceList`) from JSON.
    public static func decodeList<Item: Decodable & Sendable>(
        _ type: Item.Type, fromJSON data: Data
    ) throws -> ObjectList<Item> {
        try JSONDecoder().decode(ObjectList<Item>.self, from: data)
    }

    /// Decodes one object from JSON.
    public static func decode<Object: Decodable>(_ type: Object.Type, fromJSON data: Data) throws -> Object {
        try JSONDecoder().decode(Object.self, from: data)
    }

    /// Decodes one watch event (one line of a watch stream) from JSON.
    public static func decodeWatchEvent<Object: Decodable & Sendable>(
        _ type: Object.Type, fromJSON data: Data
    ) throws -> WatchEvent<Object> {
        try JSONDecoder().decode(WatchEvent<Object>.self, from: data)
    }

    /// Decodes one object from a single YAML document.
    public static func decode<Object: Decodable>(_ type: Object.Type, fromYAML text: String) throws -> Object {
        try YAMLDecoder().decode(Object.self, from: text)
    }
}
