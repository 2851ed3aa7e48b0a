import IPVS

/// The dummy link that holds the virtual IPs, as the reconciler needs it. `VIPInterface` is the real one.
public protocol VIPLink: Sendable {
    /// Creates the link if missing and sets it up.
    func ensure() throws
    /// The addresses on the link.
    func addresses() throws -> [IPAddress]
    /// Adds an address (a /32 or /128); no-op if present.
    func add(_ address: IPAddress) throws
    /// Removes an address; no-op if absent.
    func remove(_ address: IPAddress) throws
}
