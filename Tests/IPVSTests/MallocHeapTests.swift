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

    /// A block of `size` mapped on its own, or nil when none came within `attempts`. glibc serves a request from a
    /// free chunk of its heap before it maps anything, and the tests running beside this one leave such chunks (their
    /// freed memory): the blocks carved from them are held until a request finds none left, then given back.
    static func mappedBlock(of size: Int, attempts: Int = 256) -> UnsafeMutableRawPointer? {
        var carved: [UnsafeMutableRawPointer] = []
        defer { carved.forEach { free($0) } }
        for _ in 0..<attempts {
            guard let block = malloc(size) else { return nil }
            if isMapped(block) { return block }
            carved.append(block)
        }
        return nil
    }

    /// Once fixed, the threshold stays where it was put: a 1 MiB block freed and asked for again is mapped again.
    /// glibc's own rule would raise the threshold past 1 MiB at the first free, and carve every later one from the
    /// heap (growing it), so that no attempt finds a mapped block.
    @Test(.enabled(if: glibcAllocates, "ThreadSanitizer's allocator replaces glibc's"))
    func fixedThresholdsMapEveryLargeBlockAndUnmapItWhenFreed() throws {
        #expect(MallocHeap.fixThresholds(at: 128 << 10))
        for round in 0..<2 {
            let block = try #require(Self.mappedBlock(of: 1 << 20), "no 1 MiB block was mapped (round \(round))")
            free(block)
        }
        let small = try #require(malloc(1 << 10))
        #expect(!Self.isMapped(small))
        free(small)
    }

    /// The kernel takes the process's refusal of transparent huge pages, and reports it back (the lab's metrics test
    /// reads it in `ipvs-proxy run`'s /proc status). The refusal only ever turns them off, here for the test process.
    @Test func transparentHugePagesAreDeclined() {
        #expect(MallocHeap.declineTransparentHugePages())
        #expect(MallocHeap.transparentHugePagesDeclined)
    }
}
