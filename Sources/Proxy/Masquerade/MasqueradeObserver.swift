import Logging

/// Keeps the nftables table in step after each pass (through `MasqueradeSync`) and logs what it wrote. The
/// write runs on the loop's task, between two passes, and has the runner's deadline.
public struct MasqueradeObserver: ReconcileObserver {
    /// The sync, with the elements the sets must hold.
    public private(set) var sync: MasqueradeSync
    let logger: Logger

    /// An observer writing through `sync`, logging through `logger`.
    public init(sync: MasqueradeSync, logger: Logger) {
        self.sync = sync
        self.logger = logger
    }

    /// Creates the table before the first pass when it is missing (``MasqueradeSync/prepare()``).
    public mutating func start() async {
        let table = sync.configuration.table
        switch await sync.prepare() {
        case .replaced:
            logger.info("nftables table created before the first pass, its sets empty", metadata: ["table": "\(table)"])
        case .failed(let error):
            logger.warning(
                "could not create the nftables table before the first pass; the first pass tries again",
                metadata: ["table": "\(table)", "error": "\(error)"])
        case .unchanged, .updated, .kept:
            break
        }
    }

    public mutating func observe(_ report: ReconcileReport) async {
        guard case .pass(let pass) = report else { return }
        let clock = ContinuousClock()
        let start = clock.now
        let action = await sync.sync(pass.desired, touched: pass.touched, addresses: pass.touchedAddresses)
        let seconds = Logger.MetadataValue.string((clock.now - start).secondsText)
        let table = sync.configuration.table
        switch action {
        case .unchanged:
            break
        case .replaced(let elements):
            logger.info(
                "nftables table written",
                metadata: ["table": "\(table)", "elements": "\(elements)", "seconds": seconds])
        case .kept(let elements):
            logger.info(
                "nftables table already in place (it carries the mark of the table to write): not written",
                metadata: ["table": "\(table)", "elements": "\(elements)"])
        case .updated(let added, let removed):
            logger.debug(
                "nftables sets updated",
                metadata: ["table": "\(table)", "added": "\(added)", "removed": "\(removed)", "seconds": seconds])
        case .failed(let error):
            logger.error(
                "could not write the masquerading rules; the whole table is rewritten on the next pass",
                metadata: ["table": "\(table)", "error": "\(error)"])
        }
    }
}
