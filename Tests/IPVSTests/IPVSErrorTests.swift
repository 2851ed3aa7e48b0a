import Values
import Foundation
import Glibc
import Logging
import Testing

@testable import IPVS

@Suite struct IPVSErrorTests {
    static let key = VirtualServerKey.service(.tcp, .v4(IPv4Address(10, 96, 0, 1)), port: 80)
    static let real = RealServer(address: .v4(IPv4Address(10, 244, 0, 2)), port: 8080)
    static let addService = IPVSOperation.addVirtualServer(VirtualServer(key: key, scheduler: "nosuch"))
    static let addReal = IPVSOperation.addRealServer(real, to: key)

    @Test(arguments: [
        (EPERM, addService, IPVSErrorCode.permissionDenied, "CAP_NET_ADMIN"),
        (EEXIST, addService, .alreadyExists, "virtual server TCP 10.96.0.1:80: it already exists"),
        (ENOENT, addService, .unknownScheduler, "`modprobe ip_vs_nosuch`"),
        (ENOENT, addReal, .notFound, "real server 10.244.0.2:8080 of TCP 10.96.0.1:80: it does not exist"),
        (ESRCH, addReal, .notFound, "virtual server TCP 10.96.0.1:80 does not exist"),
        (EINVAL, addReal, .invalidArgument, "add real server 10.244.0.2:8080 of TCP 10.96.0.1:80: the kernel refused"),
        (EBUSY, addService, .busy, "retry"),
        (ENOMEM, addService, .other, "Cannot allocate memory"),
    ])
    func mapsErrno(code: Int32, operation: IPVSOperation, expected: IPVSErrorCode, fragment: String) {
        let error = IPVSError.kernel(errno: code, operation: operation)
        #expect(error.code == expected)
        #expect(error.errno == code)
        #expect(error.object == operation.object)
        #expect(error.message.contains(fragment), "\(error.message)")
    }

    @Test func schedulerKnowsItsModule() {
        #expect(Scheduler.known.count == 14)
        #expect(Scheduler.known.allSatisfy { $0.kernelModule == "ip_vs_\($0.rawValue)" })
        #expect(Scheduler("nosuch").isKnown == false)
    }

    /// This host's kernel really lacks IPVS; where it does, opening a client must say how to fix it.
    @Test(.enabled(if: !FileManager.default.fileExists(atPath: "/proc/net/ip_vs"), "this kernel has IPVS"))
    func familyMissingOnThisHostSaysModprobe() {
        do {
            _ = try IPVSNetlinkClient(logger: Logger(label: "test"))
            Issue.record("the client opened although /proc/net/ip_vs does not exist")
        } catch let error as IPVSError {
            #expect(error.code == .familyMissing)
            #expect(error.message.contains("modprobe ip_vs"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
