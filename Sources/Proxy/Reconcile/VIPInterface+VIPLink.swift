import IPVS

extension VIPInterface: VIPLink {
    /// Creates the dummy link if missing and sets it up.
    public func ensure() throws { try ensureLink() }
}
