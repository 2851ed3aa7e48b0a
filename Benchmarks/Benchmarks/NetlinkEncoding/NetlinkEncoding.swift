import Benchmark
@_spi(Encoding) import IPVS
import Values

/// The batch API's encoding cost: building the bytes of many IPVS requests back to back, as one window of a
/// batch is built before its single sendto(2). One iteration encodes 1,000 requests.
let benchmarks: @Sendable () -> Void = {
    let key = VirtualServerKey.service(.tcp, .v4(IPv4Address(10, 96, 0, 10)), port: 80)
    let reals = (0..<1000).map { index in
        RealServer(address: .v4(IPv4Address(10, 244, UInt8(index / 250), UInt8(index % 250 + 1))), port: 8080)
    }
    let servers = (0..<1000).map { index in
        VirtualServer(
            key: .service(.tcp, .v4(IPv4Address(10, 96, UInt8(index / 256), UInt8(index % 256))), port: 80),
            scheduler: .roundRobin)
    }
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal])

    Benchmark("encode add-real-server requests", configuration: configuration) { benchmark in
        var encoder = NetlinkEncoder(capacity: 256 << 10)
        for _ in benchmark.scaledIterations {
            encoder.removeAll()
            for (index, real) in reals.enumerated() {
                IPVSMessages.encode(
                    .addRealServer(real, to: key), family: 0x1c, sequence: UInt32(index), into: &encoder)
            }
            blackHole(encoder.bytes.count)
        }
    }

    Benchmark("encode add-virtual-server requests", configuration: configuration) { benchmark in
        var encoder = NetlinkEncoder(capacity: 256 << 10)
        for _ in benchmark.scaledIterations {
            encoder.removeAll()
            for (index, server) in servers.enumerated() {
                IPVSMessages.encode(.addVirtualServer(server), family: 0x1c, sequence: UInt32(index), into: &encoder)
            }
            blackHole(encoder.bytes.count)
        }
    }
}
