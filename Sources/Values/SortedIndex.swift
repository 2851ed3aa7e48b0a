extension Array {
    /// In an array sorted by `key`, the index of the first element whose key is not below `target`: where it is,
    /// or where it would be inserted. A binary search.
    public func sortedIndex<Key: Comparable>(of target: Key, by key: (Element) -> Key) -> Int {
        var (low, high) = (0, count)
        while low < high {
            let middle = (low + high) / 2
            if key(self[middle]) < target { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
