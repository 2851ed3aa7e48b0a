/// What this build of ipvs-proxy is.
enum BuildInfo {
    /// The release version, printed by `ipvs-proxy --version`.
    static let version = "0.1.0-dev"
}
