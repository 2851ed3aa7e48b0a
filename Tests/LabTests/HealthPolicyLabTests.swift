import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Health checks under the operator's control, seen from the endpoints' side: a Service asking for probes by
/// annotation gets none under the default policy, and with `--health-check-annotations allow` and a CIDR only its
/// endpoint inside the CIDR is probed. Each endpoint is a counting TCP listener on a local address of the guest,
/// so a probe is a connection it accepts.
@Suite(.serialized, Lab.only) struct HealthPolicyLabTests {
    static let vip = "10.96.1.40"
    /// Inside the CIDR the allow test names; and outside it.
    static let inside = "10.255.77.1"
    static let outside = "10.255.78.1"
    static let port: UInt16 = 8080

    static let manifest = """
        apiVersion: v1
        kind: Service
        metadata:
          name: policy
          namespace: lab
          annotations: {ipvs-proxy.io/health-check: "on", ipvs-proxy.io/health-check-interval: 1s,
                        ipvs-proxy.io/health-check-timeout: 1s}
        spec: {clusterIP: \(vip), ports: [{name: http, protocol: TCP, port: 80}]}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: policy-1, namespace: lab, labels: {kubernetes.io/service-name: policy}}
        addressType: IPv4
        ports: [{name: http, protocol: TCP, port: \(port)}]
        endpoints: [{addresses: ["\(inside)"]}, {addresses: ["\(outside)"]}]
        """

    /// Runs the proxy with `extra` arguments over the Service, with a counting listener on each endpoint; `body`
    /// gets the proxy and the two listeners once the Service is in the kernel with both real servers.
    static func withProxy(
        _ extra: [String], _ body: (ProxyProcess, ConnectionCounter, ConnectionCounter) async throws -> Void
    ) async throws {
        try LabShell.prepareNetwork()
        for address in [inside, outside] { try LabShell.run("ip", ["addr", "add", "\(address)/32", "dev", "lo"]) }
        defer {
            ProxyLab.cleanup()
            for address in [inside, outside] {
                _ = try? LabShell.run("ip", ["addr", "del", "\(address)/32", "dev", "lo"])
            }
        }
        let insideServer = try ConnectionCounter(ipv4: inside, port: port)
        defer { insideServer.stop() }
        let outsideServer = try ConnectionCounter(ipv4: outside, port: port)
        defer { outsideServer.stop() }
        let directory = try ProxyLab.manifestsDirectory()
        try ProxyLab.write(manifest, to: directory, as: "policy.yaml")
        let proxy = try ProxyProcess(arguments: ProxyLab.arguments(
                directory,
                // Its own state file: the default (/run/ipvs-proxy/health.json) is shared by every test in the guest,
                // and `status` in a later test would print this one's health section.
                ["--sync-period", "2s", "--health-state-file", directory.path + "-health.json"] + extra))
        defer { _ = proxy.stop() }
        let both = ["\(inside)=1", "\(outside)=1"]
        #expect(
            try await ProxyLab.eventually { try ProxyLab.peer(vip) == both }, "\(ProxyLab.table())\n\(proxy.output)")
        try await body(proxy, insideServer, outsideServer)
    }

    static func lines(_ proxy: ProxyProcess, _ fragments: String...) -> [Substring] {
        proxy.output.split(separator: "\n").filter { line in fragments.allSatisfy { line.contains($0) } }
    }

    /// Full passes logged so far (one every 2 s here).
    static func fullSyncs(_ proxy: ProxyProcess) -> Int { proxy.output.components(separatedBy: "full sync").count - 1 }

    @Test func underTheDefaultPolicyAnAnnotatedServiceIsNotProbed() async throws {
        // (The closure's types are spelled out: without them the compiler takes it for one that cannot throw.)
        // CIDRs named that hold both endpoints, so that the policy alone keeps the probes away.
        try await Self.withProxy(["--health-check-cidrs", "10.255.0.0/16"]) {
            (proxy: ProxyProcess, inside: ConnectionCounter, outside: ConnectionCounter) async throws in
            #expect(
                try await ProxyLab.eventually {
                    !Self.lines(proxy, " notice ", "code=ignoredByPolicy", "--health-check-annotations=deny").isEmpty
                },
                "\(proxy.output)")
            // Three more full passes (at least 4 s): with the annotation's 1 s interval honoured, each endpoint
            // would have been probed several times by now.
            let seen = Self.fullSyncs(proxy)
            #expect(try await ProxyLab.eventually { Self.fullSyncs(proxy) >= seen + 3 }, "\(proxy.output)")
            #expect(
                inside.count == 0 && outside.count == 0, "probed: \(inside.count), \(outside.count)\n\(proxy.output)")
            let notices = Self.lines(proxy, "code=ignoredByPolicy")
            #expect(notices.count == 1, "said once: \(notices)")
            #expect(notices.first?.contains("services/lab/policy") == true)
            #expect(try ProxyLab.peer(Self.vip) == ["\(Self.inside)=1", "\(Self.outside)=1"], "still programmed")
            print("health policy lab (deny): 0 probe connections over \(Self.fullSyncs(proxy) - seen) full passes")
        }
    }

    @Test func allowedWithACIDROnlyTheEndpointInsideIsProbed() async throws {
        let arguments = ["--health-check-annotations", "allow", "--health-check-cidrs", "10.255.77.0/24"]
        // (The closure's types are spelled out: without them the compiler takes it for one that cannot throw.)
        try await Self.withProxy(arguments) {
            (proxy: ProxyProcess, inside: ConnectionCounter, outside: ConnectionCounter) async throws in
            #expect(try await ProxyLab.eventually { inside.count >= 3 }, "\(inside.count) probes\n\(proxy.output)")
            #expect(outside.count == 0, "the endpoint outside the CIDR was probed \(outside.count) times")
            let named = Self.lines(proxy, " warning ", "code=notProbed", "endpointslices/lab/policy-1", Self.outside)
            #expect(named.count == 1, "\(proxy.output)")
            #expect(Self.lines(proxy, "code=ignoredByPolicy").isEmpty)
            // Left as the kernel has it: both real servers, weight 1.
            #expect(try ProxyLab.peer(Self.vip) == ["\(Self.inside)=1", "\(Self.outside)=1"])
            print("health policy lab (allow, 10.255.77.0/24): \(inside.count) probes inside, \(outside.count) outside")
        }
    }
}

/// A TCP listener on one address and port that accepts and closes every connection, counting them. Blocking
/// POSIX sockets on a thread of its own (never the cooperative pool); accept wakes every 200 ms to check for stop.
final class ConnectionCounter: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let descriptor: Int32
    private let accepted = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    init(ipv4 address: String, port: UInt16) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_port = port.bigEndian
        guard inet_pton(AF_INET, address, &local.sin_addr) == 1 else {
            close(descriptor)
            throw Failure(description: "not an IPv4 address: \(address)")
        }
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else {
            let code = errno
            close(descriptor)
            throw Failure(description: "bind/listen \(address):\(port): errno \(code)")
        }
        let thread = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                let connection = accept(descriptor, nil, nil)
                guard connection >= 0 else { continue }
                accepted.add(1, ordering: .releasing)
                close(connection)
            }
            done.signal()
        }
        thread.start()
    }

    /// Connections accepted so far.
    var count: Int { accepted.load(ordering: .acquiring) }

    /// Stops accepting (within 200 ms) and closes the socket.
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        done.wait()
        close(descriptor)
    }
}
