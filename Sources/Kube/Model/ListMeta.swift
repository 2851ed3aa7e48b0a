/// `metav1.ListMeta`: the list's resourceVersion (to watch from) and the continue token for the next page.
public struct ListMeta: Codable, Sendable, Hashable {
    /// The resourceVersion the list is consistent at.
    public var resourceVersion: String?
    /// Set when more pages follow: pass it as `continue` to get the next page.
    public var `continue`: String?
    /// An estimate of how many items remain after this page.
    public var remainingItemCount: Int?

    /// Creates list metadata.
    public init(resourceVersion: String? = nil, continue token: String? = nil, remainingItemCount: Int? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = token
        self.remainingItemCount = remainingItemCount
    }
}
