/// What one pod's server serves: its name, where it listens, and how slowly it answers.
public struct PodServerConfiguration: Sendable, Hashable {
    /// The pod's name: the HTTP response body (`NAME\n`) and the `X-Pod` header.
    public var name: String
    /// The address to listen on (`0.0.0.0`: every address of the pod's namespace).
    public var host: String
    /// The HTTP/1.1 port; 0 picks a free one, `nil` serves no HTTP.
    public var httpPort: Int?
    /// The TCP echo port; 0 picks a free one, `nil` serves no TCP echo.
    public var tcpEchoPort: Int?
    /// The UDP echo port; 0 picks a free one, `nil` serves no UDP echo.
    public var udpEchoPort: Int?
    /// The delay before each HTTP response (echo is never delayed).
    public var delay: DelayDistribution
    /// The seed of the delay generator.
    public var seed: UInt64

    /// Makes a configuration; the defaults are a pod's: every address, HTTP on 80, echo on 7, no delay.
    public init(
        name: String,
        host: String = "0.0.0.0",
        httpPort: Int? = 80,
        tcpEchoPort: Int? = 7,
        udpEchoPort: Int? = 7,
        delay: DelayDistribution = .none,
        seed: UInt64 = 1
    ) {
        self.name = name
        self.host = host
        self.httpPort = httpPort
        self.tcpEchoPort = tcpEchoPort
        self.udpEchoPort = udpEchoPort
        self.delay = delay
        self.seed = seed
    }
}
