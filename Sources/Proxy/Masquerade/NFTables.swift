/// Where nftables input goes: `NFTCommand` runs the nft binary; tests use a fake.
public protocol NFTables: Sendable {
    /// Applies `script` as one transaction (`nft -f -`).
    func run(_ script: String) throws(NFTablesError)
    /// True when the `inet` table of this name exists.
    func hasTable(_ name: String) throws(NFTablesError) -> Bool
}
