import CNetlink
import Glibc
import IPVS
import Testing

/// `MallocHeap` sets glibc's allocator as the proxy asks. Observed through each block's usable size: glibc maps a
/// block of its own in whole pages (its usable size is a page multiple less the two words of its header), and
/// carves a heap block to 16 bytes. ThreadSanitizer's allocator replaces glibc's and ignores `mallopt`.
@Suite struct MallocHeapTests {
    #if TSAN
        static let glibcAllocates = false
    #else
        static let glibcAllocates = true
    #endif

    /// True when the block at `pointer` was mapped on its own rather than carved from the heap.
    static func isMapped(_ pointer: UnsafeMutableRawPointer) -> Bool {
        (malloc_usable_size(pointer) + 2 * MemoryLayout<Int>.size) % Int(getpagesize()) == 0
    }

    /// Once fixed, the threshold stays where it was put: a 1 MiB block freed and asked for again is mapped again.
    /// glibc's own rule would raise the threshold past 1 MiB at the first free, and carve the second from the heap.
    @Test(.enabled(if: glibcAllocates, "ThreadSanitizer's allocator replaces glibc's"))
    func fixedThresholdsMapEveryLargeBlockAndUnmapItWhenFreed() throws {
        #expect(MallocHeap.fixThresholds(at: 128 << 10))
        for _ in 0..<2 {
            let block = try #require(malloc(1 << 20))
            #expect(Self.isMapped(block))
            free(block)
        }
        let small = try #require(malloc(1 << 10))
        #expect(!Self.isMapped(small))
        free(small)
    }
}
