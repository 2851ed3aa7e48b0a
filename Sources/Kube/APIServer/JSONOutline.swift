/// Where the parts of an API server's JSON lie, found without decoding them: a list page's metadata and items, a
/// watch event's type and object, and each object's `metadata.uid` and `metadata.resourceVersion`. With them a source
/// takes an object it decoded before (``APIObjectCache``) instead of decoding it again, and decodes the rest one by
/// one with `JSONDecoder`, which stays the one decoder of the format: the outline only finds where values begin and
/// end, matching brackets and skipping strings, and reads a string's text only when it has no escapes.
///
/// A document the outline cannot follow is ``Malformed``; the caller then decodes it whole, as before, and its error
/// is the decoder's.
struct JSONOutline {
    /// Where the outline stopped following the document.
    struct Malformed: Error, Equatable {
        var offset: Int
    }

    /// One member of an object: where its key's text and its value lie.
    struct Member: Equatable {
        /// The key's text, without the quotes (escapes left as they are).
        var key: Range<Int>
        /// The value, from its first byte to just after its last.
        var value: Range<Int>
    }

    /// An object of a list page or a watch event.
    struct Object: Equatable {
        /// The object's bytes.
        var range: Range<Int>
        /// `metadata.uid`, when the object has one written without escapes.
        var uid: String?
        /// `metadata.resourceVersion`, the same.
        var resourceVersion: String?
    }

    /// A list page: its `metadata` and its `items`.
    struct List: Equatable {
        var metadata: Range<Int>?
        var items: [Object]
    }

    /// A watch event: its `type` and its `object`.
    struct Event: Equatable {
        var type: String?
        var object: Object?
    }

    /// Deeper than this, a document is not followed (the API's objects nest a few levels; a list's items are at 2).
    static let maximumDepth = 256

    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The outline of a list page (the whole of `bytes`).
    func list() throws(Malformed) -> List {
        var list = List(metadata: nil, items: [])
        for member in try members(of: try document()) {
            if key(member, is: "metadata") {
                list.metadata = member.value
            } else if key(member, is: "items"), bytes[member.value.lowerBound] != UInt8(ascii: "n") {
                list.items = try elements(of: member.value).map(object)
            }
        }
        return list
    }

    /// The outline of a watch event (the whole of `bytes`).
    func event() throws(Malformed) -> Event {
        var event = Event(type: nil, object: nil)
        for member in try members(of: try document()) {
            if key(member, is: "type") {
                event.type = text(member.value)
            } else if key(member, is: "object"), bytes[member.value.lowerBound] == UInt8(ascii: "{") {
                event.object = try object(member.value)
            }
        }
        return event
    }

    /// An object's bytes, uid and resourceVersion. Its members are followed only up to its `metadata`, and that
    /// only until both are found: the API server writes `metadata` before `spec` and `status`, and `uid` and
    /// `resourceVersion` before the labels, annotations and managed fields (the object's bytes were matched whole
    /// when it was found).
    func object(_ range: Range<Int>) throws(Malformed) -> Object {
        var object = Object(range: range)
        try forEachMember(of: range) { (member) throws(Malformed) in
            guard key(member, is: "metadata") else { return true }
            guard bytes[member.value.lowerBound] == UInt8(ascii: "{") else { return false }
            try forEachMember(of: member.value) { field in
                if key(field, is: "uid") {
                    object.uid = text(field.value)
                } else if key(field, is: "resourceVersion") {
                    object.resourceVersion = text(field.value)
                }
                return object.uid == nil || object.resourceVersion == nil
            }
            return false
        }
        return object
    }

    /// The document's one value, whitespace around it allowed: from its first byte to its last (an object's
    /// members are then followed to exactly that end, so nothing after it goes unseen).
    func document() throws(Malformed) -> Range<Int> {
        let start = skipSpace(from: 0)
        var end = bytes.count
        while end > start, Self.isSpace(bytes[end - 1]) { end -= 1 }
        guard end > start else { throw Malformed(offset: start) }
        return start..<end
    }

    /// The members of the object at `range`, in order.
    func members(of range: Range<Int>) throws(Malformed) -> [Member] {
        var members: [Member] = []
        try forEachMember(of: range) { member in
            members.append(member)
            return true
        }
        return members
    }

    /// Each member of the object at `range`, in order, while `body` returns true.
    func forEachMember(
        of range: Range<Int>, _ body: (Member) throws(Malformed) -> Bool
    ) throws(Malformed) {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "{") else {
            throw Malformed(offset: range.lowerBound)
        }
        var index = skipSpace(from: range.lowerBound + 1)
        if index < range.upperBound, bytes[index] == UInt8(ascii: "}") { return }
        while true {
            guard index < range.upperBound, bytes[index] == UInt8(ascii: "\"") else { throw Malformed(offset: index) }
            let keyEnd = try stringEnd(from: index)
            let key = (index + 1)..<(keyEnd - 1)
            index = skipSpace(from: keyEnd)
            guard index < range.upperBound, bytes[index] == UInt8(ascii: ":") else { throw Malformed(offset: index) }
            let valueStart = skipSpace(from: index + 1)
            let valueEnd = try valueEnd(from: valueStart)
            guard try body(Member(key: key, value: valueStart..<valueEnd)) else { return }
            guard let next = try next(after: valueEnd, closing: UInt8(ascii: "}"), range) else { return }
            index = next
        }
    }

    /// The elements of the array at `range`, in order.
    func elements(of range: Range<Int>) throws(Malformed) -> [Range<Int>] {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "[") else {
            throw Malformed(offset: range.lowerBound)
        }
        var elements: [Range<Int>] = []
        var index = skipSpace(from: range.lowerBound + 1)
        if index < range.upperBound, bytes[index] == UInt8(ascii: "]") { return elements }
        while true {
            let end = try valueEnd(from: index)
            elements.append(index..<end)
            guard let next = try next(after: end, closing: UInt8(ascii: "]"), range) else { return elements }
            index = next
        }
    }

    /// After a member or element that ends at `end`: where the next one starts (after a comma), or nil when the
    /// container closes there, as its last byte.
    func next(after end: Int, closing closer: UInt8, _ range: Range<Int>) throws(Malformed) -> Int? {
        let index = skipSpace(from: end)
        guard index < range.upperBound else { throw Malformed(offset: index) }
        switch bytes[index] {
        case UInt8(ascii: ","): return skipSpace(from: index + 1)
        case closer where index + 1 == range.upperBound: return nil
        default: throw Malformed(offset: index)
        }
    }

    /// Whether the key of `member` is exactly `name` (a key written with escapes never is).
    func key(_ member: Member, is name: StaticString) -> Bool {
        guard member.key.count == name.utf8CodeUnitCount else { return false }
        return name.withUTF8Buffer { name in
            var index = member.key.lowerBound
            for byte in name {
                guard bytes[index] == byte else { return false }
                index += 1
            }
            return true
        }
    }

    /// The text of the string value at `range` when it has no escapes; nil for any other value.
    func text(_ range: Range<Int>) -> String? {
        guard range.count >= 2, bytes[range.lowerBound] == UInt8(ascii: "\"") else { return nil }
        let inner = (range.lowerBound + 1)..<(range.upperBound - 1)
        guard !bytes[inner].contains(UInt8(ascii: "\\")) else { return nil }
        return String(decoding: bytes[inner], as: UTF8.self)
    }

    /// JSON's whitespace.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\t")
    }

    func skipSpace(from start: Int) -> Int {
        var index = start
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        return index
    }

    /// Just after the string that starts at `start` (its opening quote).
    func stringEnd(from start: Int) throws(Malformed) -> Int {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""): return index + 1
            case UInt8(ascii: "\\"): index += 2
            case 0..<0x20: throw Malformed(offset: index)
            default: index += 1
            }
        }
        throw Malformed(offset: bytes.count)
    }

    /// Just after the value that starts at `start`: a string, an object or array (brackets matched, strings inside
    /// skipped), or a number or literal (up to the next delimiter).
    func valueEnd(from start: Int) throws(Malformed) -> Int {
        guard start < bytes.count else { throw Malformed(offset: start) }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return try stringEnd(from: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var closers: [UInt8] = []
            var index = start
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index = try stringEnd(from: index)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    guard closers.count < Self.maximumDepth else { throw Malformed(offset: index) }
                    closers.append(byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]"))
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    guard closers.popLast() == byte else { throw Malformed(offset: index) }
                    if closers.isEmpty { return index + 1 }
                default:
                    break
                }
                index += 1
            }
            throw Malformed(offset: bytes.count)
        default:
            var index = start
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
                    || Self.isSpace(byte)
                {
                    break
                }
                index += 1
            }
            guard index > start else { throw Malformed(offset: index) }
            return index
        }
    }
}
