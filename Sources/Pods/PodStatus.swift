/// One pod as it is now: its plan and whether its server runs.
public struct PodStatus: Sendable, Hashable {
    /// Whether the server process runs.
    public enum ServerState: String, Sendable, Hashable {
        /// Serving.
        case running
        /// Stopped by SIGSTOP (`pause`): connections are accepted by the kernel but never answered.
        case paused
        /// Not running (`stop`, or it died): connections are refused.
        case stopped
    }

    /// The pod.
    public var spec: PodSpec
    /// Its server's state.
    public var server: ServerState
    /// Its server's process id, when it runs or is paused.
    public var pid: Int32?
}
