import Kube
import Testing

/// `InotifyEvents.decode`: the records `read(2)` returns from an inotify descriptor, as the kernel lays them out.
@Suite struct InotifyEventsTests {
    /// One `struct inotify_event` in host (little-endian) order, its name NUL-padded to a multiple of 16 as the
    /// kernel pads it.
    static func event(_ mask: UInt32, _ name: String = "", wd: Int32 = 1) -> [UInt8] {
        var padded = Array(name.utf8)
        if !padded.isEmpty { padded += [UInt8](repeating: 0, count: 16 - padded.count % 16) }
        func bytes(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
        return bytes(UInt32(bitPattern: wd)) + bytes(mask) + bytes(0) + bytes(UInt32(padded.count)) + padded
    }

    static func decode(_ bytes: [UInt8], regularFiles: Set<String> = []) -> InotifyEvents.Batch {
        var batch = InotifyEvents.Batch()
        InotifyEvents.decode(bytes[...], into: &batch, isRegularFile: { regularFiles.contains($0) })
        return batch
    }

    @Test func writtenMovedAndDeletedEntriesAreNamedOnce() {
        let batch = Self.decode(
            Self.event(0x8, "web.yaml") + Self.event(0x40, "old.yaml") + Self.event(0x80, "new.yaml")
                + Self.event(0x200, "gone.yaml") + Self.event(0x8, "web.yaml"))
        #expect(batch.names == ["web.yaml", "old.yaml", "new.yaml", "gone.yaml"])
        #expect(!batch.needsScan && !batch.lost)
    }

    @Test func aRegularFileJustCreatedWaitsForItsCloseButASymlinkDoesNot() {
        let batch = Self.decode(
            Self.event(0x100, "file.yaml") + Self.event(0x100, "link.yaml"), regularFiles: ["file.yaml"])
        #expect(batch.names == ["link.yaml"])
    }

    @Test func aConfigMapSwapOrAnOverflowAsksForAScan() {
        #expect(Self.decode(Self.event(0x80, "..data")) == InotifyEvents.Batch(needsScan: true))
        let overflow = Self.decode(Self.event(0x4000, wd: -1))
        #expect(overflow.needsScan && overflow.names.isEmpty)
    }

    @Test(arguments: [UInt32(0x400), 0x800, 0x8000])
    func theDirectoryGoneOrUnwatchedLosesTheWatch(mask: UInt32) {
        #expect(Self.decode(Self.event(mask)).lost)
    }

    @Test func recordsCutShortKeepWhatIsThereAndAShortHeaderIsIgnored() {
        let whole = Self.event(0x8, "a.yaml") + Self.event(0x8, "second-file.yaml")
        // The second record's name cut after 6 bytes: the part that is there is the name.
        #expect(Self.decode(Array(whole.prefix(32 + 16 + 6))).names == ["a.yaml", "second"])
        // 15 bytes of a header: nothing.
        #expect(Self.decode(Array(whole.prefix(15))).isEmpty)
        // A length far past the end does not read past it.
        var huge = Self.event(0x8, "b.yaml")
        huge.replaceSubrange(12..<16, with: [0xff, 0xff, 0xff, 0x7f])
        #expect(Self.decode(huge).names == ["b.yaml"])
    }
}
