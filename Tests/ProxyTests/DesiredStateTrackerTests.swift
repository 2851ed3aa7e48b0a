import IPVS
import Kube
import Testing

@testable import Proxy

@Suite struct DesiredStateTrackerTests {
    let spec = """
          clusterIP: 10.96.0.10
          ports:
          - {name: http, protocol: TCP, port: 80}
        """

    @Test func sliceBeforeServiceThenServiceBringsBoth() throws {
        var tracker = DesiredStateTracker(configuration: ProxyConfiguration())
        let slice = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10")])
        #expect(tracker.apply(.upsert(.endpointSlice(slice))).isEmpty)
        let touched = tracker.apply(.upsert(.service(try Objects.web(spec: spec))))
        #expect(touched.virtualServers == [F.web])
        #expect(touched.addresses == [F.ip(F.vip)])
        #expect(tracker.desired.virtualServers[F.web]?.realServers.count == 1)
        #expect(tracker.owner(of: F.web)?.description == "default/web")
    }

    @Test func sliceChangesTouchOnlyTheirServiceAndDeletesRemoveEverything() throws {
        var tracker = DesiredStateTracker(configuration: ProxyConfiguration())
        let service = try Objects.web(spec: spec)
        tracker.apply(.upsert(.service(service)))
        let slice = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10"), Objects.ready("10.244.0.11")])
        #expect(tracker.apply(.upsert(.endpointSlice(slice))).virtualServers == [F.web])
        #expect(tracker.apply(.upsert(.endpointSlice(slice))).isEmpty, "an unchanged slice touches nothing")

        let touched = tracker.apply(.delete(.endpointSlice(slice)))
        #expect(touched.virtualServers == [F.web])
        #expect(touched.addresses.isEmpty)
        #expect(tracker.desired.virtualServers[F.web]?.realServers.isEmpty == true)

        let gone = tracker.apply(.delete(.service(service)))
        #expect(gone.virtualServers == [F.web])
        #expect(gone.addresses == [F.ip(F.vip)])
        #expect(tracker.desired == DesiredState())
        #expect(tracker.entries.isEmpty, "a Service gone with its slices leaves nothing kept")
    }

    /// A Service's entry lives while its object or any slice naming it does, in whichever order they come and go.
    @Test func aServicesEntryGoesWithTheLastThingThatNamesIt() throws {
        var tracker = DesiredStateTracker(configuration: ProxyConfiguration())
        let service = try Objects.web(spec: spec)
        let slice = try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10")])
        tracker.apply(.upsert(.endpointSlice(slice)))
        #expect(tracker.entries.count == 1)
        tracker.apply(.upsert(.service(service)))
        tracker.apply(.delete(.service(service)))
        #expect(tracker.entries.count == 1, "its slice still names it")
        #expect(tracker.desired == DesiredState())
        tracker.apply(.upsert(.service(service)))
        #expect(tracker.desired.virtualServers[F.web]?.realServers.count == 1, "its slice was kept")
        tracker.apply(.delete(.endpointSlice(slice)))
        #expect(tracker.entries.count == 1, "its object is still there")
        tracker.apply(.delete(.service(service)))
        #expect(tracker.entries.isEmpty)
    }

    @Test func oneChangeAmongManyServicesTouchesOnlyItsOwnKeys() throws {
        var tracker = DesiredStateTracker(configuration: ProxyConfiguration())
        for index in 0..<1000 {
            let service = try Objects.service(
                """
                apiVersion: v1
                kind: Service
                metadata: {name: svc-\(index), namespace: default}
                spec:
                  clusterIP: 10.96.\(index / 250).\(index % 250 + 1)
                  ports: [{name: http, protocol: TCP, port: 80}]
                """
            )
            tracker.apply(.upsert(.service(service)))
        }
        #expect(tracker.desired.virtualServers.count == 1000)
        let slice = try Objects.slice(
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: svc-7-x, namespace: default, labels: {kubernetes.io/service-name: svc-7}}
            addressType: IPv4
            endpoints: [{addresses: [10.244.0.10]}]
            ports: [{name: http, protocol: TCP, port: 8080}]
            """
        )
        let touched = tracker.apply(.upsert(.endpointSlice(slice)))
        #expect(touched.virtualServers == [F.key(.tcp, "10.96.0.8", 80)])
        #expect(touched.addresses.isEmpty)
    }

    @Test func aSliceThatChangesServiceRecomputesBoth() throws {
        var tracker = DesiredStateTracker(configuration: ProxyConfiguration())
        tracker.apply(.upsert(.service(try Objects.web(spec: spec))))
        let other = try Objects.api()
        tracker.apply(.upsert(.service(other)))
        tracker.apply(.upsert(.endpointSlice(try Objects.webSlice(endpoints: [Objects.ready("10.244.0.10")]))))
        let moved = try Objects.slice(
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: web-abc, namespace: default, labels: {kubernetes.io/service-name: api}}
            addressType: IPv4
            endpoints: [{addresses: [10.244.0.10]}]
            ports: [{name: http, protocol: TCP, port: 8080}]
            """
        )
        let touched = tracker.apply(.upsert(.endpointSlice(moved)))
        #expect(touched.virtualServers == [F.web, F.key(.tcp, "10.96.0.20", 80)])
        #expect(tracker.desired.virtualServers[F.web]?.realServers.isEmpty == true)
        #expect(tracker.desired.virtualServers[F.key(.tcp, "10.96.0.20", 80)]?.realServers.count == 1)
    }

    @Test func diagnosticsAreKeptPerServiceAndClearedWhenFixed() throws {
        var tracker = DesiredStateTracker(configuration: ProxyConfiguration())
        let bad = try Objects.web(spec: spec, metadata: "  annotations: {ipvs-proxy.io/scheduler: nope}")
        tracker.apply(.upsert(.service(bad)))
        #expect(tracker.diagnostics.values.flatMap { $0 }.map(\.code) == [.unsupportedScheduler])
        tracker.apply(.upsert(.service(try Objects.web(spec: spec))))
        #expect(tracker.diagnostics.isEmpty)
    }
}
