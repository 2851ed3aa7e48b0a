import Values

/// The fixture worked out from its options, before anything is touched: names, addresses, files, and the exact
/// commands that build and remove it. Pure, so it is unit-tested without root.
public struct PodNetworkLayout: Sendable, Hashable, Codable {
    /// The options this layout was made from.
    public let options: PodNetworkOptions
    /// The bridge's address on the node: the CIDR's first host address, every pod's default gateway.
    public let bridgeAddress: IPAddress
    /// The pods, in index order.
    public let pods: [PodSpec]

    /// The veth end inside each pod.
    public static let podInterface = "eth0"
    /// The longest interface name Linux accepts (IFNAMSIZ - 1).
    public static let maximumInterfaceNameLength = 15

    /// Validates the options and lays the fixture out.
    public init(_ options: PodNetworkOptions) throws(PodsError) {
        guard options.count >= 1 else {
            throw PodsError(.invalidArgument, "a fixture needs at least one pod (count \(options.count))")
        }
        try Self.checkInterfaceName(options.bridgeName, what: "bridge name")
        try Self.checkName(options.namePrefix + "0", what: "pod name prefix '\(options.namePrefix)'")
        for (port, what) in [(options.httpPort, "HTTP port"), (options.echoPort, "echo port")]
        where !(1...65535).contains(port) {
            throw PodsError(.invalidArgument, "\(what) \(port) is not in 1...65535")
        }
        guard options.cidr.family == .ipv4 else {
            throw PodsError(.invalidArgument, "not an IPv4 CIDR: '\(options.cidr)' (expected e.g. 10.244.0.0/24)")
        }
        try PodNetworkOptions.checkHostBits(options.cidr, text: "\(options.cidr)")
        guard let bridgeAddress = options.cidr.host(1) else {
            throw PodsError(.invalidArgument, "CIDR \(options.cidr) has no room for a bridge address")
        }
        guard options.firstPodOffset >= 2 else {
            throw PodsError(.invalidArgument, "the first pod offset must be 2 or more (1 is the bridge's address)")
        }
        var pods: [PodSpec] = []
        for index in 0..<options.count {
            let name = options.namePrefix + String(index)
            guard let address = options.cidr.host(options.firstPodOffset + UInt64(index)) else {
                throw PodsError(
                    .invalidArgument,
                    "CIDR \(options.cidr) has no room for \(options.count) pods from host offset "
                        + "\(options.firstPodOffset)")
            }
            let hostInterface = "\(options.bridgeName)-\(index)"
            try Self.checkInterfaceName(hostInterface, what: "pod veth name (shorten the bridge name)")
            pods.append(
                PodSpec(
                    index: index, name: name, address: address, hostInterface: hostInterface,
                    podInterface: Self.podInterface, httpPort: options.httpPort, echoPort: options.echoPort,
                    delay: options.delays[name] ?? options.defaultDelay, seed: options.seed &+ UInt64(index)))
        }
        let names = Set(pods.map(\.name))
        if let unknown = options.delays.keys.sorted().first(where: { !names.contains($0) }) {
            throw PodsError(.invalidArgument, "a delay names pod '\(unknown)', which the fixture does not have")
        }
        self.options = options
        self.bridgeAddress = bridgeAddress
        self.pods = pods
    }

    /// The pod of that name, if any.
    public func pod(named name: String) -> PodSpec? {
        pods.first { $0.name == name }
    }

    /// The file that records what the fixture created, so that another process can take it down.
    public var stateFile: String { Self.stateFile(in: options.runDirectory) }

    /// The state file's path for a run directory.
    public static func stateFile(in runDirectory: String) -> String { runDirectory + "/state.json" }

    /// The file where a pod's server writes its process id once it is serving.
    public func pidFile(_ pod: PodSpec) -> String { options.runDirectory + "/\(pod.name).pid" }

    /// The file from which a pod's server reads a new delay on SIGUSR1.
    public func delayFile(_ pod: PodSpec) -> String { options.runDirectory + "/\(pod.name).delay" }

    /// The file that receives a pod's server output.
    public func logFile(_ pod: PodSpec) -> String { options.runDirectory + "/\(pod.name).log" }

    private var prefix: String { "/\(options.cidr.length)" }

    /// The `ip` commands that create the bridge and give it the gateway address.
    public var bridgeSetupCommands: [[String]] {
        let bridge = options.bridgeName
        return [
            ["ip", "link", "add", bridge, "type", "bridge"],
            ["ip", "addr", "add", "\(bridgeAddress)\(prefix)", "dev", bridge],
            ["ip", "link", "set", bridge, "up"],
        ]
    }

    /// The `ip` commands that create one pod's namespace and wire it to the bridge.
    public func podSetupCommands(_ pod: PodSpec) -> [[String]] {
        let namespace = pod.namespace
        return [
            ["ip", "netns", "add", namespace],
            [
                "ip", "link", "add", pod.hostInterface, "type", "veth", "peer", "name", pod.podInterface,
                "netns", namespace,
            ],
            ["ip", "link", "set", pod.hostInterface, "master", options.bridgeName],
            ["ip", "link", "set", pod.hostInterface, "up"],
            ["ip", "-n", namespace, "link", "set", "lo", "up"],
            ["ip", "-n", namespace, "addr", "add", "\(pod.address)\(prefix)", "dev", pod.podInterface],
            ["ip", "-n", namespace, "link", "set", pod.podInterface, "up"],
            ["ip", "-n", namespace, "route", "add", "default", "via", "\(bridgeAddress)"],
        ]
    }

    /// The command that starts a pod's server inside its namespace (`executable` is this program's binary).
    public func serveCommand(_ pod: PodSpec, executable: String) -> [String] {
        [
            "ip", "netns", "exec", pod.namespace, executable, "pods", "serve", "--name", pod.name,
            "--http-port", String(pod.httpPort), "--echo-port", String(pod.echoPort), "--delay",
            pod.delay.description, "--seed", String(pod.seed), "--pid-file", pidFile(pod), "--delay-file",
            delayFile(pod),
        ]
    }

    /// The `ip` commands that remove one pod: its veth pair (deleting the node end deletes both, at once), then
    /// its namespace.
    public func podTeardownCommands(_ pod: PodSpec) -> [[String]] {
        [["ip", "link", "del", pod.hostInterface], ["ip", "netns", "del", pod.namespace]]
    }

    /// The `ip` command that removes the bridge.
    public var bridgeTeardownCommands: [[String]] {
        [["ip", "link", "del", options.bridgeName]]
    }

    /// Every command `up` runs, in order (servers included), for a reader or a dry run.
    public func setupPlan(executable: String) -> [[String]] {
        bridgeSetupCommands + pods.flatMap(podSetupCommands) + pods.map { serveCommand($0, executable: executable) }
    }

    private static func checkInterfaceName(_ name: String, what: String) throws(PodsError) {
        try checkName(name, what: what)
        guard name.count <= maximumInterfaceNameLength else {
            throw PodsError(
                .invalidArgument, "\(what): '\(name)' is longer than \(maximumInterfaceNameLength) characters")
        }
    }

    private static func checkName(_ name: String, what: String) throws(PodsError) {
        let allowed = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".") }
        guard !name.isEmpty, name.count <= 64, name.first != ".", name.first != "-", name.allSatisfy(allowed) else {
            throw PodsError(.invalidArgument, "\(what): '\(name)' must be letters, digits, '-', '_' or '.'")
        }
    }
}
