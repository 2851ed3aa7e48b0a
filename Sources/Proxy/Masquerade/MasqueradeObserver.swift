import Logging

/// Keeps the nftables table in step after each pass (through `MasqueradeSync`) and logs what it wrote. The
/// write runs on the loop's task, between two passes, and has the runner's deadline; the first, whole-table write
/// runs beside the first pass instead, as soon as the loop announces it (``ReconcileReport/firstPassDue(_:)``).
public struct MasqueradeObserver: ReconcileObserver {
    /// The sync, with the elements the sets must hold.
    public private(set) var sync: MasqueradeSync
    let logger: Logger
    /// The table was brought in step with the state announced before the first pass; that pass is not written again.
    private var writtenBeforeFirstPass = false

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
        case .unchanged, .updated, .kept, .mended:
            break
        }
    }

    public mutating func observe(_ report: ReconcileReport) async {
        let clock = ContinuousClock()
        let start = clock.now
        let action: MasqueradeSync.Action
        switch report {
        case .firstPassDue(let desired):
            // The whole table, written while the loop runs the first pass over the same state.
            action = await sync.sync(desired, touched: nil)
            writtenBeforeFirstPass = sync.inStep
        case .pass(let pass) where pass.full && writtenBeforeFirstPass:
            // That first pass: its state is the one just written (the loop runs it with no input in between).
            writtenBeforeFirstPass = false
            return
        case .pass(let pass), .passAhead(let pass):
            // A pass ahead of the first full one adds only, so the sets only gain elements too. A resync's first
            // slice (full, naming what it touched) checks that the table is still there.
            action = await sync.sync(
                pass.desired, touched: pass.touched, addresses: pass.touchedAddresses, checkTable: pass.full)
        default:
            return
        }
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
                "nftables table already in place (the structure and elements to write): not written",
                metadata: ["table": "\(table)", "elements": "\(elements)"])
        case .mended(let elements, let added, let removed):
            logger.info(
                "nftables table in place: its sets brought in step, only the elements that differed written",
                metadata: [
                    "table": "\(table)", "elements": "\(elements)", "added": "\(added)", "removed": "\(removed)",
                    "seconds": seconds,
                ])
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
