/// The report as a terminal table.
extension BenchReport {
    /// The header lines, one table row per scheduler (throughput, errors, latency, share per pod), and the
    /// mean active connections per pod.
    public var table: String {
        var lines: [String] = []
        lines.append("scenario \(scenario): \(summary)")
        lines.append(
            "load: \(load); \(clientAddresses) client address\(clientAddresses == 1 ? "" : "es")"
                + (persistenceSeconds.map { "; persistence \(BenchFormat.number($0))s" } ?? ""))
        lines.append(
            "pods: " + pods.map { "\($0.name) delay \($0.delay) weight \($0.weight)" }.joined(separator: ", "))
        for event in events { lines.append("event: \(event)") }
        lines.append(
            "load generator ceiling (one pod directly, no IPVS, \(ceiling.concurrency) clients): "
                + "\(BenchFormat.number(ceiling.requestsPerSecond, digits: 0)) req/s, p50 "
                + "\(BenchFormat.milliseconds(ceiling.p50Milliseconds)) ms, p99 "
                + "\(BenchFormat.milliseconds(ceiling.p99Milliseconds)) ms, \(ceiling.errors) errors")
        lines.append("kernel \(kernel), \(date)")
        lines.append("")
        var header = ["sched", "req/s", "ok", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"]
        header += pods.map { "\($0.name) %" }
        var rows = [header]
        for result in results {
            var row = [
                result.scheduler + (result.nearGeneratorCeiling ? "*" : ""),
                BenchFormat.number(result.throughput, digits: 1), String(result.requests), String(result.errorCount),
                BenchFormat.milliseconds(result.latency.p50), BenchFormat.milliseconds(result.latency.p95),
                BenchFormat.milliseconds(result.latency.p99), BenchFormat.milliseconds(result.latency.max),
            ]
            row += result.pods.map { BenchFormat.number($0.share * 100, digits: 1) }
            rows.append(row)
        }
        lines += Self.align(rows)
        lines.append("")
        var connectionRows = [["sched"] + pods.map { "\($0.name) conns" }]
        for result in results {
            connectionRows.append(
                [result.scheduler]
                    + result.pods.map {
                        "\(BenchFormat.number($0.meanActiveConnections, digits: 1)) (max \($0.maxActiveConnections))"
                    })
        }
        lines.append("active connections per pod (mean, and max, of the IPVS table's ActiveConn samples):")
        lines += Self.align(connectionRows)
        if results.contains(where: \.nearGeneratorCeiling) {
            lines.append("* within 80% of the load generator's ceiling: the generator may have limited this run")
        }
        let failing = results.filter { $0.errorCount > 0 }
        for result in failing {
            let kinds = result.errors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            lines.append("errors with \(result.scheduler): " + kinds.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Left-aligns the first column and right-aligns the others.
    static func align(_ rows: [[String]]) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in
            rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
    }
}
