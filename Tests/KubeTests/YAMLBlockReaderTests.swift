import Pods
import Testing

@testable import Kube

/// The fast reader of block YAML against Yams' parser: wherever it accepts a text, its nodes read as Yams' (checked on
/// generated texts and on thousands of mutations of them), it accepts the shapes manifests are written in, and it
/// leaves everything else to Yams.
@Suite("YAML block reader")
struct YAMLBlockReaderTests {
    /// Checks the reader against Yams on `text`; returns whether the reader accepted it.
    @discardableResult
    static func agrees(_ text: String) -> Bool {
        if let difference = YAMLBlockReader.disagreement(text) { Issue.record("\(difference)\nin:\n\(text)") }
        return YAMLBlockReader.documents(text) != nil
    }

    static let manifestShapes = [
        // scripts/bench-proxy-gen
        """
        apiVersion: v1
        kind: Service
        metadata: {name: svc-00001, namespace: bench}
        spec:
          clusterIP: 10.96.0.11
          ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: svc-00001-1, namespace: bench, labels: {kubernetes.io/service-name: svc-00001}}
        addressType: IPv4
        ports: [{name: http, protocol: TCP, port: 8080}]
        endpoints:
        - {addresses: ["10.244.0.11"], conditions: {ready: true}}
        - {addresses: ["10.244.0.12"], conditions: {ready: true}}

        """,
        // the ObjectDecoding benchmark's files: a flow sequence over two lines
        """
        apiVersion: v1
        kind: Service
        metadata: {name: svc-00001, namespace: bench, labels: {app: svc-00001}}
        spec:
          type: ClusterIP
          selector: {app: svc-00001}
          ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080},
            {name: dns, protocol: UDP, port: 53, targetPort: dns}]
        ---
        kind: EndpointSlice
        endpoints:
        - addresses: ["10.128.0.1"]
          conditions: {ready: true, serving: true, terminating: false}
          nodeName: node-0
          targetRef: {kind: Pod, namespace: bench, name: svc-00001-0}

        """,
        // kubectl get -o yaml
        """
        apiVersion: v1
        kind: Service
        metadata:
          annotations:
            kubectl.kubernetes.io/last-applied-configuration: |
              {"apiVersion":"v1"}
          creationTimestamp: "2026-11-22T02:19:10Z"
          managedFields:
          - apiVersion: v1
            fieldsType: FieldsV1
            fieldsV1:
              f:spec:
                f:ports:
                  .: {}
                  k:{"port":80,"protocol":"TCP"}:
                    .: {}
                    f:port: {}
            manager: kubectl-client-side-apply
          name: web
          resourceVersion: "1234"
        spec:
          clusterIP: 10.96.12.7
          clusterIPs:
          - 10.96.12.7
          ports:
          - name: http # the main port
            port: 80
            protocol: TCP
            targetPort: 8080
          selector:
            app: web
          sessionAffinity: None
          type: ClusterIP
        status:
          loadBalancer: {}

        """,
    ]

    @Test func acceptsTheShapesManifestsAreWrittenIn() {
        for text in Self.manifestShapes.dropLast() { #expect(Self.agrees(text), "declined:\n\(text)") }
        // A block scalar (`|`) is Yams' to read: the whole text goes to Yams.
        #expect(YAMLBlockReader.documents(Self.manifestShapes[2]) == nil)
        let withoutBlockScalar = Self.manifestShapes[2].replacing(
            "kubectl.kubernetes.io/last-applied-configuration: |\n      {\"apiVersion\":\"v1\"}",
            with: "kubectl.kubernetes.io/last-applied-configuration: '{\"apiVersion\":\"v1\"}'")
        #expect(Self.agrees(withoutBlockScalar), "declined:\n\(withoutBlockScalar)")
    }

    @Test(arguments: [
        "a: &x 1\nb: *x", "a: !!str 1", "a: |\n  x", "a: >\n  x", "a: b\n  c", "a: \"x\\ty\"", "a: 'x\n  y'",
        "a: 1\na: 2", "a:\tb", "a: é", "a: b\r\n", "%YAML 1.1\n---\na: 1", "a: 1\n...\n", "? a\n: b", "[a, b]",
        "a: [b\n  c]", "a: {b: c,}", "a: [b: c]", "<<: {a: 1}", "a: - b", "a: b: c", "plain", "a: {b}",
    ])
    func leavesTheRestToYams(_ text: String) {
        #expect(YAMLBlockReader.documents(text) == nil)
    }

    /// A duplicate key is found in a mapping of any size, block or flow: among the first keys (searched in the
    /// mapping's own list), at the seventeenth (where a set of them is made) and past it (in the set).
    @Test(arguments: [2, 16, 17, 18, 40])
    func aDuplicateKeyIsLeftToYamsInAMappingOfAnySize(keys: Int) {
        let names = (1..<keys).map { "k\($0)" }
        for duplicate in [names.first, names.last].compactMap({ $0 }) + (keys > 17 ? [names[15]] : []) {
            let block = (names + [duplicate]).map { "\($0): 1" }.joined(separator: "\n")
            let flow = "a: {" + (names + [duplicate]).map { "\($0): 1" }.joined(separator: ", ") + "}"
            #expect(YAMLBlockReader.documents(block) == nil, "\(keys) keys, \(duplicate) twice")
            #expect(YAMLBlockReader.documents(flow) == nil, "\(keys) keys, \(duplicate) twice, flow")
        }
        let distinct = (names + ["k\(keys)"]).map { "\($0): 1" }.joined(separator: "\n")
        #expect(Self.agrees(distinct), "\(keys) distinct keys are read")
    }

    @Test func keepsYamsErrors() throws {
        // A duplicate key is Yams' error, reported as before.
        #expect(throws: ManifestError.self) { try ManifestFile.parse("a: 1\na: 2\n", path: "d.yaml") }
        #expect(try YAMLObjectDecoder.documents("---\n---\nkind: Service\n---\n").count == 1)
    }

    /// Generated texts in and around the subset, and random edits of each: wherever the reader accepts, it agrees
    /// with Yams. It must accept most unedited texts (else this checks little) and some edited ones.
    @Test func agreesWithYamsOnGeneratedAndMutatedTexts() {
        var random = SeededRandomNumberGenerator(seed: 0x5EED_0015)
        var accepted = 0
        var acceptedMutations = 0
        let texts = 600
        let mutations = 6
        for _ in 0..<texts {
            var generator = YAMLTextGenerator(random: random)
            let text = generator.document()
            random = generator.random
            if Self.agrees(text) { accepted += 1 }
            for _ in 0..<mutations {
                if Self.agrees(YAMLTextGenerator.mutate(text, using: &random)) { acceptedMutations += 1 }
            }
        }
        #expect(accepted > texts / 2, "accepted \(accepted) of \(texts)")
        #expect(acceptedMutations > texts * mutations / 10, "accepted \(acceptedMutations) mutations")
    }
}

/// Random YAML in the shapes of manifests, with scalars and keys chosen to sit on the subset's edges.
struct YAMLTextGenerator {
    var random: SeededRandomNumberGenerator
    private var lines: [String] = []

    init(random: SeededRandomNumberGenerator) {
        self.random = random
    }

    static let plains = [
        "a", "web", "80", "-1", "10.0.0.1", "a:b", "http://x/y", "a b", "a#b", "true", "~", "null", "x,y", "don't",
        "k:{\"port\":80}", "a  b", "-x", ".5", "x]", "a=b", "f:spec",
    ]
    static let quoted = ["'it''s'", "'a: b'", "\"x\"", "\"\"", "''", "\"a # b\"", "'#'", "\"[x]\"", "'-'"]
    static let keys = [
        "name", "port", "a b", "k:{\"port\":80,\"protocol\":\"TCP\"}", "'quoted'", "\"dq\"", "f:spec", "x.y/z", ".",
    ]
    static let comments = ["", "", "", " # note", "  #x"]

    mutating func pick(_ values: [String]) -> String { values[Int.random(in: 0..<values.count, using: &random)] }

    mutating func document() -> String {
        let documents = Int.random(in: 1...2, using: &random)
        for index in 0..<documents {
            if index > 0 || Bool.random(using: &random) { lines.append(pick(["---", "---", "--- # next"])) }
            mapping(indent: 0, depth: 0)
        }
        if Bool.random(using: &random) { lines.append("# end") }
        return lines.joined(separator: "\n") + (Bool.random(using: &random) ? "\n" : "")
    }

    mutating func scalar() -> String { Bool.random(using: &random) ? pick(Self.plains) : pick(Self.quoted) }

    mutating func flow(depth: Int) -> String {
        let count = Int.random(in: 0...3, using: &random)
        let isMapping = Bool.random(using: &random)
        var entries: [String] = []
        var used: Set<String> = []
        for _ in 0..<count {
            let value = depth < 2 && Int.random(in: 0..<4, using: &random) == 0 ? flow(depth: depth + 1) : scalar()
            if isMapping {
                let key = pick(["name", "port", "ready", "a", "'q'", "b c"])
                if used.insert(key).inserted { entries.append("\(key): \(value)") }
            } else {
                entries.append(value)
            }
        }
        let separator = pick([", ", ",", " , "])
        return isMapping
            ? "{" + entries.joined(separator: separator) + "}" : "[" + entries.joined(separator: separator) + "]"
    }

    mutating func mapping(indent: Int, depth: Int, firstPrefix: String? = nil) {
        let pad = String(repeating: " ", count: indent)
        var used: Set<String> = []
        for index in 0..<Int.random(in: 1...4, using: &random) {
            let key = pick(Self.keys)
            guard used.insert(key).inserted else { continue }
            let prefix = index == 0 ? (firstPrefix ?? pad) : pad
            switch depth < 3 ? Int.random(in: 0..<6, using: &random) : 0 {
            case 0: lines.append("\(prefix)\(key): \(scalar())\(pick(Self.comments))")
            case 1: lines.append("\(prefix)\(key): \(flow(depth: 0))\(pick(Self.comments))")
            case 2:
                lines.append("\(prefix)\(key):\(pick(Self.comments))")
                mapping(indent: indent + Int.random(in: 1...3, using: &random), depth: depth + 1)
            case 3:
                lines.append("\(prefix)\(key):")
                sequence(indent: indent + (Bool.random(using: &random) ? 0 : 2), depth: depth + 1)
            case 4: lines.append("\(prefix)\(key):")
            default:
                // A flow collection over two lines.
                let first = flow(depth: 1)
                lines.append("\(prefix)\(key): [\(first),")
                lines.append("\(pad)  \(flow(depth: 1))]")
            }
        }
    }

    mutating func sequence(indent: Int, depth: Int) {
        let pad = String(repeating: " ", count: indent)
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            switch depth < 3 ? Int.random(in: 0..<4, using: &random) : 0 {
            case 0: lines.append("\(pad)- \(scalar())\(pick(Self.comments))")
            case 1: lines.append("\(pad)- \(flow(depth: 0))")
            case 2: mapping(indent: indent + 2, depth: depth + 1, firstPrefix: "\(pad)- ")
            default: lines.append("\(pad)-")
            }
        }
    }

    static let insertions = [
        " ", "\n", "-", ":", "#", "'", "\"", "{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "?", "\t", "  ", "- ",
        ": ", " #", "\\", "%", "@", "---\n", "...", "\n  ", "x", "~", "<<: ",
    ]

    /// `text` with one random edit: an insertion, a deletion, or a line's indentation changed.
    static func mutate(_ text: String, using random: inout SeededRandomNumberGenerator) -> String {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return text }
        let at = Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<3, using: &random) {
        case 0:
            bytes.insert(
                contentsOf: Array(insertions[Int.random(in: 0..<insertions.count, using: &random)].utf8), at: at)
        case 1: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...3, using: &random)))
        default:
            let lineStart = bytes[..<at].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            if Bool.random(using: &random) {
                bytes.insert(0x20, at: lineStart)
            } else if lineStart < bytes.count, bytes[lineStart] == 0x20 {
                bytes.remove(at: lineStart)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
