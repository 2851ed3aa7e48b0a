extension EndpointSlice {
    /// discovery/v1 `EndpointPort` (wire form). Its name matches a Service port's name.
    public struct Port: Codable, Sendable, Hashable {
        /// The port's name (empty or absent for a single unnamed port).
        public var name: String?
        /// `TCP` (default), `UDP` or `SCTP`.
        public var `protocol`: String?
        /// The port number.
        public var port: Int?
        /// The application protocol hint.
        public var appProtocol: String?
        /// Creates a port.
        public init(name: String? = nil, protocol: String? = nil, port: Int? = nil, appProtocol: String? = nil) {
            self.name = name
            self.protocol = `protocol`
            self.port = port
            self.appProtocol = appProtocol
        }
    }
}
