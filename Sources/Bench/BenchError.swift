import Values

/// The kinds of failure of the scheduler benchmark.
public enum BenchErrorCode: String, ErrorCode {
    /// A scenario file could not be read, parsed, or holds a value out of range.
    case scenario
    /// The kernel has no IPVS (or it cannot be used): run in the kernel lab.
    case noIPVS
    /// Setting up the pods, the link or the virtual server failed.
    case setup
    /// The run was interrupted (SIGINT or SIGTERM).
    case interrupted
    /// Writing a result file failed.
    case output
}

/// An error of the scheduler benchmark, in the project's one error shape: a code, a message naming the file,
/// field or object concerned, and the cause (a ``Pods`` or ``IPVS`` error, a file error).
public typealias BenchError = CodedError<BenchErrorCode>
