/// A small SVG writer: elements appended in order, text escaped.
struct SVGDocument {
    let width: Int
    let height: Int
    private(set) var elements: [String] = []

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ value: Double) -> String { BenchFormat.number(value, digits: 1) }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, title: String? = nil) {
        let tooltip = title.map { "<title>\(Self.escape($0))</title>" } ?? ""
        elements.append(
            "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(max(width, 0)))\" "
                + "height=\"\(Self.number(max(height, 0)))\" fill=\"\(fill)\">\(tooltip)</rect>")
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, dashed: Bool = false) {
        elements.append(
            "<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" "
                + "y2=\"\(Self.number(y2))\" stroke=\"\(stroke)\"\(dashed ? " stroke-dasharray=\"4 3\"" : "")/>")
    }

    mutating func text(
        _ content: String, x: Double, y: Double, size: Int = 12, anchor: String = "start", weight: String = "normal",
        fill: String = "#222"
    ) {
        elements.append(
            "<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" "
                + "font-weight=\"\(weight)\" fill=\"\(fill)\">\(Self.escape(content))</text>")
    }

    var rendered: String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" font-family=\"Helvetica, Arial, sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n" + elements.joined(separator: "\n")
            + "\n</svg>\n"
    }
}
