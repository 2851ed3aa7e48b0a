import Foundation
import Values

/// Where nftables input goes: `NFTablesLibrary` applies it in process through libnftables; tests use a fake. The
/// proxy's pure code renders the scripts (`NFTablesScript` in Proxy) and hands them here.
public protocol NFTablesRunner: Sendable {
    /// Applies `script` as one transaction (`nft -f -`).
    func run(_ script: String) async throws(NFTablesError)
    /// The comment on the postrouting chain of the `inet` table `name`, where the proxy marks the table it wrote
    /// (``NFTablesScript`` in Proxy); nil when the table or that chain is missing, empty when the chain has no
    /// comment. Reads no set element.
    func mark(ofTable name: String) async throws(NFTablesError) -> String?
}

/// nftables' `comment "..."` statement on a line of its own (a chain's comment, as nft lists it and as the proxy
/// writes it): the one reading of it, for the listing and for the proxy's own scripts.
public enum NFTablesComment {
    /// The quoted text when `line`, trimmed, is a comment statement; nil otherwise.
    public static func text(ofLine line: some StringProtocol) -> String? {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("comment \""), text.hasSuffix("\""), text.count >= 10 else { return nil }
        return String(text.dropFirst(9).dropLast())
    }
}

/// The kinds of failure applying nftables input.
public enum NFTablesErrorCode: String, ErrorCode {
    /// nftables refused the input (its message is the cause).
    case rejected
    /// libnftables could not be set up for the call.
    case exec
    /// The call did not finish before its deadline; it was left to finish on its own.
    case timeout
}

/// A failure applying nftables input: what kind, a message that says what to do, and the cause.
public typealias NFTablesError = CodedError<NFTablesErrorCode>

/// What nftables reported (its error output), as the cause of an `NFTablesError`.
public struct NFTOutput: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text, trimmed.
    public var text: String

    /// Output `text`.
    public init(_ text: String) {
        self.text = text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var description: String { text }
}
