extension Service {
    /// core/v1 `ServicePort` (wire form).
    public struct Port: Codable, Sendable, Hashable {
        /// The port's name (required when there are several ports).
        public var name: String?
        /// `TCP` (default), `UDP` or `SCTP`.
        public var `protocol`: String?
        /// The Service port.
        public var port: Int?
        /// The backend port: a number or a named container port. Defaults to ``port``.
        public var targetPort: IntOrString?
        /// The node port (NodePort and LoadBalancer Services).
        public var nodePort: Int?
        /// The application protocol hint.
        public var appProtocol: String?

        /// Creates a port.
        public init(
            name: String? = nil,
            protocol: String? = nil,
            port: Int? = nil,
            targetPort: IntOrString? = nil,
            nodePort: Int? = nil,
            appProtocol: String? = nil
        ) {
            self.name = name
            self.protocol = `protocol`
            self.port = port
            self.targetPort = targetPort
            self.nodePort = nodePort
            self.appProtocol = appProtocol
        }
    }
}
