import Foundation
import Testing

@testable import Kube

/// The outline of an API server's JSON: where a page's items and a watch event's object lie, and their uid and
/// resourceVersion, checked against what `JSONDecoder` makes of the same bytes.
@Suite("JSON outline")
struct JSONOutlineTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Every recorded list page: its items one by one decode as the page decoded whole does, with the uid and
    /// resourceVersion the decoder reads, and its metadata as the page's.
    @Test(arguments: [
        "services-list.json", "endpointslices-list.json", "services-list-page1.json", "services-list-page2.json",
    ])
    func recordedListPages(_ name: String) throws {
        let bytes = Array(try Fixtures.data(name))
        let outline = try JSONOutline(bytes).list()
        let decoder = JSONDecoder()
        if name.hasPrefix("services") {
            try Self.check(outline, bytes, as: Service.self)
        } else {
            try Self.check(outline, bytes, as: EndpointSlice.self)
        }
        let whole = try decoder.decode(ObjectList<Service>.self, from: Data(bytes)).metadata
        let metadata = try #require(outline.metadata)
        #expect(try decoder.decode(ListMeta.self, from: Data(bytes[metadata])) == whole)
    }

    static func check<Resource: KubeResource>(_ outline: JSONOutline.List, _ bytes: [UInt8], as: Resource.Type) throws {
        let decoder = JSONDecoder()
        let whole = try decoder.decode(ObjectList<Resource>.self, from: Data(bytes)).items
        #expect(outline.items.count == whole.count)
        #expect(!whole.isEmpty)
        for (item, expected) in zip(outline.items, whole) {
            let one = try decoder.decode(Resource.self, from: Data(bytes[item.range]))
            #expect(DecodedItem.from(one) == DecodedItem.from(expected))
            #expect(item.uid == expected.metadata.uid && item.uid != nil)
            #expect(item.resourceVersion == expected.metadata.resourceVersion && item.resourceVersion != nil)
        }
    }

    /// Every recorded watch line: its type, and its object's uid and resourceVersion, as the decoder reads them.
    @Test(arguments: ["services-watch.jsonl", "endpointslices-watch.jsonl", "services-watch-410.jsonl"])
    func recordedWatchLines(_ name: String) throws {
        for line in try Fixtures.lines(name) {
            let bytes = Self.bytes(line)
            let event = try JSONOutline(bytes).event()
            let expected = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
            #expect(event.type == expected?["type"] as? String)
            let object = expected?["object"] as? [String: Any]
            let metadata = object?["metadata"] as? [String: Any]
            #expect(event.object?.uid == metadata?["uid"] as? String)
            #expect(event.object?.resourceVersion == metadata?["resourceVersion"] as? String)
            if let range = event.object?.range {
                let again = try JSONSerialization.jsonObject(with: Data(bytes[range])) as? [String: Any]
                #expect((again?["metadata"] as? [String: Any])?["name"] as? String == metadata?["name"] as? String)
            }
        }
    }

    @Test func stringsHoldingBracketsQuotesAndEscapesAreSkipped() throws {
        let text = #"""
             { "items" : [ {"metadata":{"name":"a]}\"{[","uid":"u1","resourceVersion":"7"},
            "spec":{"x":[1,-2.5e3,true,null]}} ,
            {"metadata":{"uid":"u\u0032","resourceVersion":"8"}} ], "metadata":{"resourceVersion":"9"} }
            """#
        let bytes = Self.bytes(text)
        let outline = try JSONOutline(bytes).list()
        #expect(outline.items.map(\.uid) == ["u1", nil], "a value written with escapes is not read")
        #expect(outline.items.map(\.resourceVersion) == ["7", "8"])
        let first = try JSONSerialization.jsonObject(with: Data(bytes[outline.items[0].range])) as? [String: Any]
        #expect((first?["metadata"] as? [String: Any])?["name"] as? String == "a]}\"{[")
        #expect(String(decoding: bytes[try #require(outline.metadata)], as: UTF8.self) == #"{"resourceVersion":"9"}"#)
    }

    @Test func keysWrittenWithEscapesAndValuesOfOtherTypesAreNotRead() throws {
        let text =
            #"{"items":[{"metad\u0061ta":{"uid":"x","resourceVersion":"1"}},"#
            + #"{"metadata":{"uid":5,"resourceVersion":["1"]}},{"metadata":null}]}"#
        let outline = try JSONOutline(Self.bytes(text)).list()
        #expect(outline.items.count == 3)
        #expect(outline.items.allSatisfy { $0.uid == nil && $0.resourceVersion == nil })
    }

    @Test func emptyAndNullItems() throws {
        #expect(try JSONOutline(Self.bytes(#"{"items":null,"metadata":{}}"#)).list().items.isEmpty)
        #expect(try JSONOutline(Self.bytes(#"{"items":[ ]}"#)).list().items.isEmpty)
        #expect(try JSONOutline(Self.bytes(#"{}"#)).list() == JSONOutline.List(metadata: nil, items: []))
    }

    /// Every cut of a page, and every byte of it replaced by a bracket or a quote, is refused or outlined, never
    /// crashes; a cut one is always refused (the decoder then reports it).
    @Test func cutAndDamagedDocumentsAreRefused() throws {
        let text =
            #"{"metadata":{"resourceVersion":"9"},"items":[{"metadata":{"uid":"u","resourceVersion":"1"},"a":"]"}]}"#
        let bytes = Self.bytes(text)
        for length in 0..<bytes.count {
            #expect(throws: JSONOutline.Malformed.self) { try JSONOutline(Array(bytes[0..<length])).list() }
        }
        for index in bytes.indices {
            for replacement in [UInt8(ascii: "{"), UInt8(ascii: "]"), UInt8(ascii: "\""), UInt8(ascii: ",")] {
                var damaged = bytes
                damaged[index] = replacement
                _ = try? JSONOutline(damaged).list()
            }
        }
        #expect(throws: JSONOutline.Malformed.self) { try JSONOutline(Self.bytes(#"{"items":[1,]}"#)).list() }
        #expect(throws: JSONOutline.Malformed.self) { try JSONOutline(Self.bytes(#"{"items":[1]} x"#)).list() }
        #expect(throws: JSONOutline.Malformed.self) { try JSONOutline(Self.bytes(#"{"items":[1}]}"#)).list() }
    }

    @Test func nestingDeeperThanTheBoundIsRefused() throws {
        // The items array and the item's object are two levels of the bound.
        func page(_ levels: Int) -> [UInt8] {
            Self.bytes(
                #"{"items":[{"a":"# + String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
                    + "}]}")
        }
        #expect(throws: JSONOutline.Malformed.self) { try JSONOutline(page(JSONOutline.maximumDepth - 1)).list() }
        #expect(try JSONOutline(page(JSONOutline.maximumDepth - 2)).list().items.count == 1)
    }
}
