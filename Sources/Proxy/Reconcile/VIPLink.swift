import Values
import IPVS

/// The dummy link that holds the virtual IPs, as the reconciler needs it. `VIPInterface` is the real one.
public protocol VIPLink: Sendable {
    /// Creates the link if missing and sets it up; returns true when it had to be created.
    @discardableResult func ensure() throws -> Bool
    /// Deletes the link with its addresses (`--cleanup`, when the proxy created it); no-op when it is missing.
    func delete() throws
    /// The addresses on the link.
    func addresses() throws -> [IPAddress]
    /// Adds an address (a /32 or /128); no-op if present.
    func add(_ address: IPAddress) throws
    /// Removes an address; no-op if absent.
    func remove(_ address: IPAddress) throws
    /// Adds several addresses; one result per address, in order. Throws when none could be tried.
    func add(_ addresses: [IPAddress]) throws -> [Result<Void, IPVSError>]
    /// Removes several addresses; one result per address, in order. Throws when none could be tried.
    func remove(_ addresses: [IPAddress]) throws -> [Result<Void, IPVSError>]
}

extension VIPLink {
    /// One address at a time, for links that have no batch of their own.
    public func add(_ addresses: [IPAddress]) throws -> [Result<Void, IPVSError>] {
        addresses.map { address in
            Result { try add(address) }.mapError { IPVSError.linkFailure($0, address: address) }
        }
    }

    /// One address at a time, for links that have no batch of their own.
    public func remove(_ addresses: [IPAddress]) throws -> [Result<Void, IPVSError>] {
        addresses.map { address in
            Result { try remove(address) }.mapError { IPVSError.linkFailure($0, address: address) }
        }
    }
}

extension IPVSError {
    /// A link failure for `address` as an `IPVSError` (kept as it is when it already is one).
    static func linkFailure(_ error: any Error, address: IPAddress) -> IPVSError {
        error as? IPVSError ?? IPVSError(code: .other, message: "\(error)", object: "address \(address)")
    }
}
