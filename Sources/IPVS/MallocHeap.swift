import CNetlink

/// The process's heap as glibc's allocator keeps it.
public enum MallocHeap {
    /// Hands the allocator's free pages back to the kernel (glibc's `malloc_trim`): after a burst of short-lived
    /// allocations spread over several threads (a first sync decodes every object on a pool of threads, each with
    /// its own malloc arena), the pages stay resident until they are reused, and the resident set keeps the burst's
    /// high-water mark. Blocks for as long as the heap takes to walk; call it off Swift's cooperative pool. Returns
    /// true when memory was released.
    @discardableResult
    public static func releaseFreed() -> Bool {
        cnl_malloc_trim() == 1
    }

    /// Turns transparent huge pages off for this process and the children it starts (`prctl(PR_SET_THP_DISABLE)`).
    /// Where the kernel's setting is `always` (as Debian's kernel has it), a huge page makes a 2 MiB piece of the heap
    /// resident at its first touch, and the kernel's khugepaged merges the pages of partly used pieces into huge ones
    /// in the background: the resident set grows while the proxy idles, and `malloc_trim` gives back less. A heap of
    /// tens of MiB has little to gain from fewer TLB misses. Call it before the heap grows. Returns true when the
    /// kernel took it.
    @discardableResult
    public static func declineTransparentHugePages() -> Bool {
        cnl_disable_thp() == 1
    }

    /// True when transparent huge pages are off for this process (``declineTransparentHugePages()``).
    public static var transparentHugePagesDeclined: Bool {
        cnl_thp_disabled() == 1
    }

    /// Caps the allocator's arenas at `count` for threads that allocate from now on (glibc's `M_ARENA_MAX`, whose
    /// default is eight per core): each arena keeps its own free pages, so memory freed on one thread is not
    /// reused by another, and `malloc_trim` gives back less. Call it before the process starts its threads.
    /// Returns true when the allocator took it.
    @discardableResult
    public static func limitArenas(to count: Int) -> Bool {
        cnl_malloc_arena_max(Int32(clamping: count)) == 1
    }

    /// Fixes glibc's thresholds for mapping a block on its own and for trimming the heap's top at `bytes`
    /// (`M_MMAP_THRESHOLD`, `M_TRIM_THRESHOLD`). glibc starts both at 128 KiB and raises them each time a mapped
    /// block is freed (up to 32 and 64 MiB), so that later large blocks are carved from the heap, and the pages they
    /// touched stay resident after they are freed. Fixed, a large block is unmapped when it is freed. Returns true
    /// when the allocator took both.
    @discardableResult
    public static func fixThresholds(at bytes: Int) -> Bool {
        cnl_malloc_fix_thresholds(Int32(clamping: bytes)) == 1
    }

    /// The bytes handed out and not yet freed (glibc's `mallinfo2`: in use in the arenas plus the mapped blocks).
    /// Unlike the resident set, it does not depend on what the allocator keeps or returns: the figure to compare
    /// when the representation of the proxy's state changes (the footprint benchmark).
    public static var bytesInUse: Int {
        Int(cnl_malloc_bytes_in_use())
    }
}
