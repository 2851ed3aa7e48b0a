import ArgumentParser
import Health
import Proxy

/// `run`'s health-check options: the defaults a Service's `ipvs-proxy.io/health-check*` annotations override.
struct HealthCheckOptions: ParsableArguments {
    @Flag(
        name: .customLong("health-check"),
        help: "Probe the endpoints of every Service (not only those annotated ipvs-proxy.io/health-check: on)."
    )
    var enabled = false

    @Option(name: .customLong("health-check-interval"), help: "Time between two probes of an endpoint.")
    var interval = DurationArgument("5s", .seconds(5))

    @Option(name: .customLong("health-check-timeout"), help: "How long a probe may take (at most the interval).")
    var timeout = DurationArgument("2s", .seconds(2))

    @Option(name: .customLong("health-check-rise"), help: "Successes in a row that bring an endpoint back.")
    var rise = 2

    @Option(name: .customLong("health-check-fall"), help: "Failures in a row that take an endpoint out.")
    var fall = 3

    @Option(
        name: .customLong("health-check-path"),
        help: "Probe TCP ports with an HTTP GET of this path instead of a TCP connect."
    )
    var path: String?

    @Option(name: .customLong("health-check-host"), help: "The HTTP probe's Host header (default: the endpoint).")
    var host: String?

    @Option(name: .customLong("health-check-status"), help: "HTTP statuses that count as healthy.")
    var status = "200-399"

    @Option(
        name: .customLong("health-check-udp-payload"),
        help: "Probe UDP ports by sending this text (default: UDP ports are not probed)."
    )
    var udpPayload: String?

    @Option(
        name: .customLong("health-check-udp-expect"),
        help: "Text a UDP reply must contain (\"\" for any reply); unset: only an ICMP error fails the probe."
    )
    var udpExpect: String?

    @Option(
        name: .customLong("health-check-action"),
        help: "What an unhealthy endpoint gets: remove (drained, then deleted) or inhibit (weight 0)."
    )
    var action = "remove"

    @Option(
        name: .customLong("health-check-all-down"),
        help: "When all endpoints of a virtual server are unhealthy: keep them all (fail open) or remove them."
    )
    var allDown = "keep"

    @Option(help: "Where the health state is written for `ipvs-proxy status` (\"\" for nowhere).")
    var healthStateFile = "/run/ipvs-proxy/health.json"

    func validate() throws {
        _ = try configuration()
    }

    /// The defaults as the proxy's configuration takes them.
    func configuration() throws -> HealthCheckConfiguration {
        guard rise >= 1, fall >= 1 else { throw ValidationError("--health-check-rise and --health-check-fall must be at least 1") }
        guard interval.duration > .zero, timeout.duration > .zero, timeout.duration <= interval.duration else {
            throw ValidationError("--health-check-timeout must be more than 0 and at most --health-check-interval")
        }
        guard let parsedAction = HealthCheckConfiguration.Action(rawValue: action) else {
            throw ValidationError("--health-check-action: \"\(action)\" is not remove or inhibit")
        }
        guard let parsedAllDown = HealthCheckConfiguration.AllDownPolicy(rawValue: allDown) else {
            throw ValidationError("--health-check-all-down: \"\(allDown)\" is not keep or remove")
        }
        var kind = HealthProbeKind.tcp
        if path != nil || host != nil || status != "200-399" {
            let parts = status.split(separator: "-").map { Int($0) }
            guard (1...2).contains(parts.count), let low = parts[0], let high = parts.last ?? nil, low <= high,
                low >= 100, high <= 599
            else { throw ValidationError("--health-check-status: \"\(status)\" is not a status or range like 200-399") }
            kind = .http(path: path ?? "/", host: host, statuses: low...high)
        }
        return HealthCheckConfiguration(
            enabled: enabled,
            probe: HealthProbe(kind: kind, interval: interval.duration, timeout: timeout.duration, rise: rise, fall: fall),
            udpPayload: udpPayload.map { Array($0.utf8) },
            udpExpect: udpExpect.map { Array($0.utf8) },
            action: parsedAction,
            allDown: parsedAllDown
        )
    }
}
