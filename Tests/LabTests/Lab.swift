import Foundation
import Testing

/// Facts about where the tests run. Lab tests need a real kernel with IPVS: `scripts/lab` boots one and sets
/// `IPVS_PROXY_LAB=1` for the command it runs. Anywhere else they are skipped, with the reason shown.
enum Lab {
    /// True inside the kernel lab's guest.
    static var isInside: Bool { ProcessInfo.processInfo.environment["IPVS_PROXY_LAB"] == "1" }

    /// The trait every lab test (or suite) carries.
    static let only = Testing.ConditionTrait.enabled(
        if: isInside,
        "needs a kernel with IPVS: run inside the kernel lab (scripts/test runs these through scripts/lab)"
    )
}
