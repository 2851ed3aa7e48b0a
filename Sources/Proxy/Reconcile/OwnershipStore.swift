/// Where the ownership record is kept across restarts. The reconciler saves it on its own thread, synchronously: before
/// the kernel is asked to create a virtual server the record does not list yet (so a crash between the kernel's
/// answer and the next save never leaves a virtual server the proxy made looking like another program's), and after
/// every pass or re-read that changed it.
public protocol OwnershipStore: Sendable {
    /// Saves `record` whole, replacing what was saved before; a failure leaves the earlier record in place.
    func save(_ record: OwnershipRecord) throws
}

/// The ownership record as a JSON file (`--ownership-file`), written atomically (write then rename, so a crash never
/// leaves half a file), creating its directory.
public struct OwnershipRecordFile: OwnershipStore {
    /// Where the file goes.
    public let path: String

    /// A store writing to `path`.
    public init(path: String) { self.path = path }

    public func save(_ record: OwnershipRecord) throws { try record.write(to: path) }
}
