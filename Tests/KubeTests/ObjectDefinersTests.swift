import Testing

@testable import Kube

@Suite("Manifest files' objects and their definers")
struct ObjectDefinersTests {
    let web = ObjectID(kind: .service, key: ObjectKey(namespace: "default", name: "web"))
    let api = ObjectID(kind: .service, key: ObjectKey(namespace: "default", name: "api"))

    @Test func theFirstFileInPathOrderDefinesAnObjectWhateverOrderTheyCameIn() {
        var definers = ObjectDefiners()
        definers.add("/m/b.yaml", for: web)
        #expect(definers.winner(of: web) == "/m/b.yaml")
        #expect(definers.duplicates(of: web) == nil)
        definers.add("/m/c.yaml", for: web)
        definers.add("/m/a.yaml", for: web)
        definers.add("/m/bb.yaml", for: web)
        #expect(definers.winner(of: web) == "/m/a.yaml")
        #expect(definers.duplicates(of: web) == ["/m/a.yaml", "/m/b.yaml", "/m/bb.yaml", "/m/c.yaml"])
        definers.add("/m/x.yaml", for: api)
        #expect(Set(definers.ids) == [web, api])
    }

    @Test func removingTheDefinerHandsTheObjectToTheNextFile() {
        var definers = ObjectDefiners()
        for path in ["/m/a.yaml", "/m/b.yaml", "/m/c.yaml"] { definers.add(path, for: web) }
        definers.remove("/m/b.yaml", for: web)
        #expect(definers.duplicates(of: web) == ["/m/a.yaml", "/m/c.yaml"])
        definers.remove("/m/a.yaml", for: web)
        #expect(definers.winner(of: web) == "/m/c.yaml")
        #expect(definers.duplicates(of: web) == nil)
        definers.remove("/m/zz.yaml", for: web)
        #expect(definers.winner(of: web) == "/m/c.yaml")
        definers.remove("/m/c.yaml", for: web)
        #expect(definers.winner(of: web) == nil)
        #expect(definers.ids.isEmpty)
    }

    @Test func aFileHoldsEachObjectOnceTheLastOfItsId() throws {
        let file = try ManifestFile.parse(
            """
            {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {ports: [{port: 1}]}}
            ---
            {apiVersion: v1, kind: Service, metadata: {name: api}, spec: {ports: [{port: 3}]}}
            ---
            {apiVersion: v1, kind: Service, metadata: {name: web}, spec: {ports: [{port: 2}]}}
            """, path: "/m/a.yaml")
        var objects = FileObjects(file.accepted.map(\.object))
        #expect(Array(objects.ids) == [api, web])
        #expect(objects[web]?.service?.ports.first?.port == 2)
        objects[web] = nil
        #expect(Array(objects.ids) == [api])
        objects[web] = file.accepted[0].object
        #expect(objects[web]?.service?.ports.first?.port == 1)
        #expect(Array(objects.ids) == [api, web])
    }

    @Test func aListOfManyIsSortedOnceAndKeepsTheLastOfEachId() throws {
        let names = (0..<40).map { "svc-\(($0 * 7) % 40)" } + ["svc-3"]
        let documents = names.enumerated().map { index, name in
            "{apiVersion: v1, kind: Service, metadata: {name: \(name)}, spec: {ports: [{port: \(index + 1)}]}}"
        }
        let file = try ManifestFile.parse(documents.joined(separator: "\n---\n"), path: "/m/list.yaml")
        let objects = FileObjects(file.accepted.map(\.object))
        let ids = Array(objects.ids)
        #expect(ids.count == 40)
        #expect(ids == ids.sorted())
        let three = ObjectID(kind: .service, key: ObjectKey(namespace: "default", name: "svc-3"))
        #expect(objects[three]?.service?.ports.first?.port == 41)
    }
}
