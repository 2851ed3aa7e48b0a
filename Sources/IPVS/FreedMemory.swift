import CNetlink

/// Memory the process has freed but the allocator still holds.
public enum FreedMemory {
    /// Hands the allocator's free pages back to the kernel (glibc's `malloc_trim`): after a burst of short-lived
    /// allocations spread over several threads (a first sync decodes every object on a pool of threads, each with
    /// its own malloc arena), the pages stay resident until they are reused, and the resident set keeps the burst's
    /// high-water mark. Blocks for as long as the heap takes to walk; call it off Swift's cooperative pool. Returns
    /// true when memory was released.
    @discardableResult
    public static func release() -> Bool {
        cnl_malloc_trim() == 1
    }
}
