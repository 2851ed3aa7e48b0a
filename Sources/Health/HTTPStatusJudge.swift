/// The HTTP probe's judgement of a status line, for the fuzzers under Tests/Fuzz (package access, not public API).
package enum HTTPStatusJudge {
    /// nil when `statusLine` ("HTTP/1.1 200 OK", without its newline) carries a status in `statuses`, else why not:
    /// exactly what an HTTP probe concludes from that line.
    package static func judge(statusLine: some Collection<UInt8>, statuses: ClosedRange<Int>) -> ProbeFailure? {
        HTTPProbeHandler.judge(statusLine: statusLine, statuses: statuses)
    }
}
