import Values
import Foundation
import Testing

@testable import IPVS

@Suite struct SysctlTests {
    static func tree() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sysctl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/net/ipv4/vs", withIntermediateDirectories: true)
        return root
    }

    @Test func readsWritesAndEnsures() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var forward = Sysctls.ipForward
        forward.root = root
        #expect(forward.path == root + "/net/ipv4/ip_forward")
        try "0\n".write(toFile: forward.path, atomically: false, encoding: .utf8)
        #expect(try forward.read() == false)
        #expect(try forward.ensure(true) == true)
        #expect(try String(contentsOfFile: forward.path, encoding: .utf8) == "1\n")
        #expect(try forward.ensure(true) == false)
        var mode = Sysctls.connReuseMode
        mode.root = root
        try mode.write(2)
        #expect(try mode.read() == 2)
    }

    @Test func missingIPVSSettingSaysModprobe() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var conntrack = Sysctls.conntrack
        conntrack.root = root + "/absent"
        #expect {
            try conntrack.read()
        } throws: { error in
            guard let error = error as? IPVSError else { return false }
            return error.code == .file && error.message.contains("modprobe ip_vs") && error.object == "net.ipv4.vs.conntrack"
        }
    }

    @Test func garbageIsRejected() throws {
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var flag = Sysctls.expireNodestConn
        flag.root = root
        try "yes\n".write(toFile: flag.path, atomically: false, encoding: .utf8)
        #expect(throws: IPVSError.self) { try flag.read() }
    }
}
