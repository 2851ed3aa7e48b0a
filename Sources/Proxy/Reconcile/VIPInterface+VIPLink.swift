import IPVS

extension VIPInterface: VIPLink {
    /// Creates the dummy link if missing and sets it up; true when it had to be created.
    public func ensure() throws -> Bool {
        let existed = try linkIndex() != nil
        try ensureLink()
        return !existed
    }

    /// Deletes the link.
    public func delete() throws { try deleteLink() }
}
