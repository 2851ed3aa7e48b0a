import Values

/// What `PodNetwork.up` builds: how many pods, in which CIDR, on which bridge, serving what.
///
/// The defaults give the classic lab layout: bridge `ipvslab0` at `10.244.0.1/24`, pods `pod-0`, `pod-1`, ... at
/// `10.244.0.10`, `10.244.0.11`, ..., each serving HTTP on port 80 and TCP and UDP echo on port 7.
public struct PodNetworkOptions: Sendable, Hashable, Codable {
    /// How many pods.
    public var count: Int
    /// The pod CIDR, IPv4, host bits clear. The bridge takes its first host address; pod `i` takes host address
    /// `firstPodOffset + i`.
    public var cidr: AddressPrefix
    /// The node-side Linux bridge that every pod's veth is attached to.
    public var bridgeName: String
    /// Pod `i` is named `namePrefix + i`; the name is also its network namespace's name.
    public var namePrefix: String
    /// The host offset in ``cidr`` of pod 0's address (10 gives `10.244.0.10`).
    public var firstPodOffset: UInt64
    /// The HTTP port each pod serves on.
    public var httpPort: Int
    /// The TCP and UDP echo port each pod serves on.
    public var echoPort: Int
    /// The response delay of pods not named in ``delays``.
    public var defaultDelay: DelayDistribution
    /// Per-pod response delays, by pod name.
    public var delays: [String: DelayDistribution]
    /// The seed of pod 0's delay generator; pod `i` uses `seed + i`, so runs are reproducible.
    public var seed: UInt64
    /// Where the state file, pid files and server logs go (must be writable: `/run` is, in the lab).
    public var runDirectory: String
    /// How long `up` and `start` wait for a pod's server to answer.
    public var readinessTimeout: Duration

    /// Makes options; every parameter has the lab's default.
    public init(
        count: Int = 3,
        cidr: AddressPrefix = PodNetworkOptions.defaultCIDR,
        bridgeName: String = "ipvslab0",
        namePrefix: String = "pod-",
        firstPodOffset: UInt64 = 10,
        httpPort: Int = 80,
        echoPort: Int = 7,
        defaultDelay: DelayDistribution = .none,
        delays: [String: DelayDistribution] = [:],
        seed: UInt64 = 1,
        runDirectory: String = "/run/ipvs-proxy-pods",
        readinessTimeout: Duration = .seconds(60)
    ) {
        self.count = count
        self.cidr = cidr
        self.bridgeName = bridgeName
        self.namePrefix = namePrefix
        self.firstPodOffset = firstPodOffset
        self.httpPort = httpPort
        self.echoPort = echoPort
        self.defaultDelay = defaultDelay
        self.delays = delays
        self.seed = seed
        self.runDirectory = runDirectory
        self.readinessTimeout = readinessTimeout
    }

    /// The default pod CIDR, `10.244.0.0/24`.
    public static let defaultCIDR = AddressPrefix(IPv4Address(10, 244, 0, 0), length: 24)

    /// Parses a pod CIDR, `A.B.C.D/N`. Host bits must be zero (`10.244.0.5/24` is refused, to catch typos).
    public static func parseCIDR(_ text: String) throws(PodsError) -> AddressPrefix {
        guard let prefix = AddressPrefix(text), prefix.family == .ipv4 else {
            throw PodsError(.invalidArgument, "not an IPv4 CIDR: '\(text)' (expected e.g. 10.244.0.0/24)")
        }
        try checkHostBits(prefix, text: text)
        return prefix
    }

    /// Refuses a prefix with host bits set, naming the network that was probably meant.
    static func checkHostBits(_ prefix: AddressPrefix, text: String) throws(PodsError) {
        guard prefix.network == prefix.address else {
            throw PodsError(
                .invalidArgument,
                "CIDR '\(text)' has host bits set (did you mean \(prefix.network)/\(prefix.length)?)")
        }
    }

    /// Parses `NAME=DELAY` (e.g. `pod-1=exp:50ms`; `*=DELAY` sets ``defaultDelay``) into these options.
    public mutating func addDelay(_ assignment: String) throws(PodsError) {
        guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
            throw PodsError(.invalidArgument, "not a delay assignment: '\(assignment)' (expected NAME=DELAY)")
        }
        let name = String(assignment[..<equals])
        let delay = try DelayDistribution(parsing: String(assignment[assignment.index(after: equals)...]))
        if name == "*" {
            defaultDelay = delay
        } else {
            delays[name] = delay
        }
    }
}
