import Values
import IPVS

/// The periodic resync: the table re-read a slice at a time, each slice planned and applied as it is read, so that a
/// change never waits behind the whole table.
extension Reconciler {
    /// The virtual servers a periodic resync re-reads, in order: those the kernel held at the last read, those the
    /// record lists and those the desired state wants. A virtual server another program adds later under a key no
    /// Service wants is never the proxy's business, so it is not looked for.
    public func resyncKeys(_ desired: DesiredState) -> [VirtualServerKey] {
        var keys = Set(actual.virtualServers.keys)
        keys.formUnion(record.virtualServers)
        keys.formUnion(desired.virtualServers.keys)
        return keys.sorted()
    }

    /// One slice of a periodic resync: re-reads virtual servers from the front of `keys` (removing them), `chunk`
    /// at a time (``IPVSKernel/virtualServers(_:)``), until `deadline` passes or `stop` says work waits (one chunk
    /// at least), and with `link` first the link (re-created if it is gone) and its addresses; classifies each
    /// (``classify(_:present:)``), and plans and applies a pass over them (and, after a link read, over every
    /// address wanted and not on the link or on it and not wanted). What a full re-read and pass would do, a slice
    /// at a time, so that a change never waits behind the whole table. A slice that `stop` ended (and read no link)
    /// plans nothing: the virtual servers it read are returned as `unplanned`, for the pass of the work waiting to
    /// take into its scope, so that work waits for the chunk being read and not for a pass of its own. A read that
    /// failed is returned beside the pass (its virtual servers are left as known until the next resync).
    public mutating func resync(
        _ keys: inout ArraySlice<VirtualServerKey>, link rereadLink: Bool, desired: DesiredState, chunk: Int = 32,
        until deadline: ContinuousClock.Instant, now: ContinuousClock.Instant = .now, stop: () -> Bool = { false }
    ) -> (report: SyncReport?, unplanned: Set<VirtualServerKey>, readFailure: (any Error)?) {
        var readFailure: (any Error)?
        var addresses: Set<IPAddress> = []
        var movedAddresses: Set<IPAddress> = []
        if rereadLink {
            do {
                if try link.ensure() { record.createdLink = true }
                let read = Set(try link.addresses())
                movedAddresses = read.symmetricDifference(actual.linkAddresses)
                actual.relink(read)
                // Only an address wanted and not on the link, or on it and not wanted, can need a change: the
                // pass plans those, not every address (10,000 sorted and looked up at as many Services).
                addresses = desired.boundAddresses.symmetricDifference(read)
            } catch {
                readFailure = error
            }
        }
        let clock = ContinuousClock()
        var read: Set<VirtualServerKey> = []
        var stopped = false
        repeat {
            let batch = Array(keys.prefix(max(chunk, 1)))
            guard !batch.isEmpty else { break }
            keys.removeFirst(batch.count)
            do {
                for (key, state) in zip(batch, try kernel.virtualServers(batch)) {
                    actual.refresh(key, with: state)
                    read.insert(key)
                    classify(key, present: state != nil)
                }
            } catch {
                readFailure = error
            }
            stopped = stop()
        } while clock.now < deadline && !stopped
        owned.update(read, addresses: movedAddresses, actual: actual, ownership: ownership)
        if stopped && !rereadLink { return (nil, read, readFailure) }
        let report = sync(desired, scope: .only(virtualServers: read, addresses: addresses), now: now)
        return (report, [], readFailure)
    }
}
