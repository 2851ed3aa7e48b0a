/// The report as an SVG chart: latency percentiles per scheduler, then each scheduler's split of the requests
/// between the pods, with the split the weights ask for marked.
extension BenchReport {
    static let podColors = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ]
    static let percentileColors = [("p50", "#9ecae1"), ("p95", "#4292c6"), ("p99", "#08519c")]

    /// The chart, as an SVG document.
    public var svg: String {
        let width = 960.0
        let left = 90.0
        let plotWidth = width - left - 40
        let latencyTop = 140.0
        let latencyHeight = 220.0
        let shareTop = latencyTop + latencyHeight + 90
        let rowHeight = 26.0
        let shareHeight = Double(results.count) * rowHeight
        let legendTop = shareTop + shareHeight + 30
        let height = legendTop + Double((pods.count + 3) / 4) * 20 + 40
        var doc = SVGDocument(width: Int(width), height: Int(height))
        doc.text("Scheduler benchmark: \(scenario)", x: 20, y: 28, size: 18, weight: "bold")
        doc.text(summary, x: 20, y: 48, size: 12, fill: "#444")
        doc.text(
            "\(load); \(clientAddresses) client address\(clientAddresses == 1 ? "" : "es")"
                + (persistenceSeconds.map { "; persistence \(BenchFormat.number($0))s" } ?? ""),
            x: 20, y: 66, size: 11, fill: "#444")
        doc.text(
            "load generator ceiling (one pod directly, no IPVS): "
                + "\(BenchFormat.number(ceiling.requestsPerSecond, digits: 0)) req/s. Kernel \(kernel), \(date).",
            x: 20, y: 82, size: 11, fill: "#444")
        if !events.isEmpty {
            doc.text("Events in every run: " + events.joined(separator: "; "), x: 20, y: 98, size: 11, fill: "#444")
        }
        drawLatency(&doc, left: left, top: latencyTop, width: plotWidth, height: latencyHeight)
        drawShares(&doc, left: left, top: shareTop, width: plotWidth, rowHeight: rowHeight)
        for (index, pod) in pods.enumerated() {
            let x = 20 + Double(index % 4) * 235
            let y = legendTop + Double(index / 4) * 20
            doc.rect(x: x, y: y - 10, width: 12, height: 12, fill: Self.podColors[index % Self.podColors.count])
            doc.text("\(pod.name): delay \(pod.delay), weight \(pod.weight)", x: x + 17, y: y, size: 11)
        }
        return doc.rendered
    }

    private func drawLatency(_ doc: inout SVGDocument, left: Double, top: Double, width: Double, height: Double) {
        doc.text(
            "Latency of answered requests (ms): p50, p95, p99 per scheduler; max written above", x: 20, y: top - 14,
            size: 14, weight: "bold")
        let top99 = results.map(\.latency.p99).max() ?? 1
        let scale = Self.niceCeiling(max(top99, 0.001))
        for tick in 0...4 {
            let value = scale * Double(tick) / 4
            let y = top + height - height * Double(tick) / 4
            doc.line(x1: left, y1: y, x2: left + width, y2: y, stroke: tick == 0 ? "#888" : "#e3e3e3")
            doc.text(tick == 0 ? "0" : BenchFormat.milliseconds(value), x: left - 8, y: y + 4, size: 11, anchor: "end")
        }
        guard !results.isEmpty else { return }
        let group = width / Double(results.count)
        let bar = min(group * 0.8 / 3, 40)
        for (index, result) in results.enumerated() {
            let x0 = left + group * Double(index) + (group - bar * 3) / 2
            let values = [result.latency.p50, result.latency.p95, result.latency.p99]
            for (slot, value) in values.enumerated() {
                let barHeight = height * min(value / scale, 1)
                let (name, color) = Self.percentileColors[slot]
                doc.rect(
                    x: x0 + bar * Double(slot), y: top + height - barHeight, width: bar - 2, height: barHeight,
                    fill: color, title: "\(result.scheduler) \(name): \(BenchFormat.milliseconds(value)) ms")
                doc.text(
                    BenchFormat.milliseconds(value), x: x0 + bar * (Double(slot) + 0.5),
                    y: top + height - barHeight - 3,
                    size: 9, anchor: "middle", fill: "#333")
            }
            doc.text(
                "max \(BenchFormat.milliseconds(result.latency.max))", x: x0 + bar * 1.5, y: top - 2, size: 10,
                anchor: "middle", fill: "#666")
            let errors = result.errorCount > 0 ? " (\(result.errorCount) err)" : ""
            doc.text(
                result.scheduler + errors, x: x0 + bar * 1.5, y: top + height + 16, size: 12, anchor: "middle",
                weight: "bold")
            doc.text(
                "\(BenchFormat.number(result.throughput, digits: 0)) req/s", x: x0 + bar * 1.5, y: top + height + 30,
                size: 10, anchor: "middle", fill: "#555")
        }
        for (slot, entry) in Self.percentileColors.enumerated() {
            let x = left + width - 180 + Double(slot) * 60
            doc.rect(x: x, y: top - 24, width: 12, height: 12, fill: entry.1)
            doc.text(entry.0, x: x + 16, y: top - 14, size: 11)
        }
    }

    private func drawShares(_ doc: inout SVGDocument, left: Double, top: Double, width: Double, rowHeight: Double) {
        doc.text(
            "Share of answered requests per pod (dashed: the split the weights ask for)", x: 20, y: top - 14, size: 14,
            weight: "bold")
        let expected = ShareMath.weightShares(pods.map(\.weight))
        for (row, result) in results.enumerated() {
            let y = top + Double(row) * rowHeight
            doc.text(result.scheduler, x: left - 8, y: y + rowHeight / 2 + 4, size: 12, anchor: "end", weight: "bold")
            var x = left
            for (index, pod) in result.pods.enumerated() {
                let segment = width * pod.share
                doc.rect(
                    x: x, y: y + 2, width: segment, height: rowHeight - 4,
                    fill: Self.podColors[index % Self.podColors.count],
                    title: "\(result.scheduler) \(pod.name): \(BenchFormat.number(pod.share * 100, digits: 1))% "
                        + "(\(pod.requests) requests)")
                if segment > 34 {
                    doc.text(
                        BenchFormat.number(pod.share * 100, digits: 1) + "%", x: x + segment / 2,
                        y: y + rowHeight / 2 + 4, size: 10, anchor: "middle", fill: "#fff")
                }
                x += segment
            }
            var boundary = left
            for share in expected.dropLast() {
                boundary += width * share
                doc.line(x1: boundary, y1: y, x2: boundary, y2: y + rowHeight, stroke: "#111", dashed: true)
            }
        }
    }

    /// 1, 2 or 5 times a power of ten, at least `value`.
    static func niceCeiling(_ value: Double) -> Double {
        var power = 1e-3
        while power * 10 <= value { power *= 10 }
        for step in [1.0, 2, 5, 10] where power * step >= value { return power * step }
        return power * 10
    }
}
