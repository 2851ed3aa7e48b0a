import Foundation
import Testing

/// Issue 12's second failure against the real kernel: a Service whose EndpointSlice holds an address the kernel
/// refuses, or an IPv6 ClientIP Service with persistence prefix 0, must not make the node unhealthy, nor hold up
/// the other Services. The health timeout is made short (`--sync-period 2s`: 4 s) and /healthz and /livez are read
/// over eight multiples of it.
@Suite(.serialized, Lab.only) struct RefusalLabTests {
    static let healthzPort: UInt16 = 19356
    static let healthz = "127.0.0.1:\(healthzPort)"
    static let metrics = "127.0.0.1:19349"
    static let syncPeriod = 2.0
    /// How long health is watched: eight health timeouts (2 × sync period each).
    static let watched = 8 * 2 * syncPeriod

    /// A Service `name` on `vip` port 80 with an EndpointSlice of the given addresses (target port 80).
    static func service(
        _ name: String, vip: String, addresses: [String], family: String = "IPv4", extra: String = "",
        annotations: String = "{}"
    ) -> String {
        let endpoints = addresses.map { "- addresses: [\"\($0)\"]" }.joined(separator: "\n")
        return """
            apiVersion: v1
            kind: Service
            metadata: {name: \(name), namespace: lab, annotations: \(annotations)}
            spec:
              clusterIP: \(vip)
              \(extra)
              ports: [{name: http, protocol: TCP, port: 80}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: \(name)-1, namespace: lab, labels: {kubernetes.io/service-name: \(name)}}
            addressType: \(family)
            ports: [{name: http, protocol: TCP, port: 80}]
            endpoints:
            \(endpoints)
            """
    }

    @Test func aRefusedEndpointLeavesHealthzAt200AndTheOtherServicesProgrammed() async throws {
        try LabShell.prepareNetwork()
        try await ProxyLab.withPods(count: 2) {
            let directory = try ProxyLab.manifestsDirectory()
            try ProxyLab.write(
                ProxyLab.webService("web", vip: "10.96.12.10", pods: [0, 1]), to: directory, as: "web.yaml")
            // Caught before the kernel: a multicast endpoint is left out, pod-0 is programmed.
            try ProxyLab.write(
                Self.service("multicast", vip: "10.96.12.11", addresses: ["239.1.2.3", "10.244.0.10"]),
                to: directory, as: "multicast.yaml")
            // Refused by the kernel only: the pods' subnet broadcast address (the node's routes decide it).
            try ProxyLab.write(
                Self.service("subnet-broadcast", vip: "10.96.12.12", addresses: ["10.244.0.255", "10.244.0.11"]),
                to: directory, as: "broadcast.yaml")
            // IPv6 ClientIP with prefix 0, which the kernel refuses for IPv6: /128 is used instead.
            try ProxyLab.write(
                Self.service(
                    "affinity6", vip: "fd00:96::12", addresses: ["fd00:244::10"], family: "IPv6",
                    extra: "ipFamilies: [IPv6]\n  sessionAffinity: ClientIP",
                    annotations: "{ipvs-proxy.io/persistence-prefix-length: \"0\"}"),
                to: directory, as: "affinity6.yaml")
            let started = ContinuousClock.now
            let proxy = try ProxyProcess(
                arguments: ProxyLab.arguments(
                    directory,
                    [
                        "--sync-period", "\(Int(Self.syncPeriod))s", "--healthz-bind-address", Self.healthz,
                        "--metrics-bind-address", Self.metrics,
                    ]))
            defer { _ = proxy.stop() }
            let programmed = try await ProxyLab.eventually(120) {
                try ProxyLab.peer("10.96.12.10")?.count == 2 && ProxyLab.peer("10.96.12.11") == ["10.244.0.10=1"]
                    && ProxyLab.peer("10.96.12.12") == ["10.244.0.11=1"]
            }
            #expect(programmed, "\(ProxyLab.table())\n\(proxy.output)")
            let v6 = try ProxyLab.kernel("fd00:96::12")
            #expect(v6?.server.persistence?.prefixLength == 128, "\(String(describing: v6))\n\(proxy.output)")
            #expect(v6?.realServers.map { $0.server.address.description } == ["fd00:244::10"])
            let firstSeen = ContinuousClock.now - started

            // Health over eight timeouts, with an edit in the middle that must still reach the kernel.
            var answers: [String: Int] = [:]
            let watchStart = ContinuousClock.now
            var edited = false
            while ContinuousClock.now - watchStart < .seconds(Self.watched) {
                for path in ["/healthz", "/livez"] {
                    let status = try HTTPConnection(ipv4: "127.0.0.1", port: Self.healthzPort).get(path).status
                    answers["\(path) \(status)", default: 0] += 1
                }
                if !edited, ContinuousClock.now - watchStart > .seconds(Self.watched / 2) {
                    try ProxyLab.write(
                        ProxyLab.webService("web", vip: "10.96.12.10", pods: [0]), to: directory, as: "web.yaml")
                    edited = true
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(Set(answers.keys) == ["/healthz 200", "/livez 200"], "\(answers)\n\(proxy.output)")
            #expect(
                try await ProxyLab.eventually(60) { try ProxyLab.peer("10.96.12.10") == ["10.244.0.10=1"] },
                "the edit reached the kernel")
            #expect(try DeployLabTests.fetch("http://\(Self.healthz)/healthz").status == "200")

            let log = proxy.output
            let lines = log.split(separator: "\n")
            let attempts = lines.filter { $0.contains("kernel refused an operation") && $0.contains("10.244.0.255") }
            let reported = lines.filter { $0.contains(" warning ") && $0.contains("code=kernelRefused") }
            let endpoints = lines.filter { $0.contains(" warning ") && $0.contains("code=refusedEndpoint") }
            let prefixes = lines.filter {
                $0.contains(" warning ") && $0.contains("code=badAnnotation") && $0.contains("IPv6 (1-128)")
            }
            #expect(reported.count == 1, "the kernel's refusal is reported once: \(reported)")
            #expect(endpoints.count == 1, "the multicast endpoint is reported once: \(endpoints)")
            #expect(prefixes.count == 1, "the IPv6 prefix is reported once: \(prefixes)")
            #expect(!log.contains("239.1.2.3:80 of"), "the multicast address never reached the kernel")
            let elapsed = Double((ContinuousClock.now - started).components.seconds)
            // With 1 s doubling, at most log2(elapsed) + 2 attempts; once a second would be about `elapsed`.
            #expect(
                attempts.count >= 2 && Double(attempts.count) <= log2(elapsed) + 2, "\(attempts.count) in \(elapsed) s")
            let metrics = try DeployLabTests.fetch("http://\(Self.metrics)/metrics").body
            #expect(metrics.contains("ipvs_proxy_retrying_virtual_servers{reason=\"invalidArgument\"} 1"), "\(metrics)")
            #expect(metrics.contains("ipvs_proxy_service_diagnostics{code=\"kernelRefused\"} 1"), "\(metrics)")
            #expect(metrics.contains("ipvs_proxy_service_diagnostics{code=\"refusedEndpoint\"} 1"), "\(metrics)")
            print(
                "refusal lab: programmed after \(firstSeen), watched \(Self.watched) s, answers \(answers), "
                    + "\(attempts.count) attempts at the refused real server in \(elapsed) s, "
                    + "\(lines.filter { $0.contains(" warning ") || $0.contains(" error ") }.count) warning/error lines"
            )
        }
    }
}
