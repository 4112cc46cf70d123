import Foundation

/// A log-log panel drawn into SVG text: maps data to pixels and emits
/// axes, decade ticks, polylines and a legend. Self-written, no dependency.
struct SVGPanel {
  var x: Double
  var y: Double
  var width: Double
  var height: Double
  var xRange: ClosedRange<Double>  // log10
  var yRange: ClosedRange<Double>  // log10
  var title: String
  var xLabel: String
  var yLabel: String
  var body: [String] = []

  static let margin = (left: 58.0, right: 12.0, top: 26.0, bottom: 40.0)

  var plotLeft: Double { x + SVGPanel.margin.left }
  var plotRight: Double { x + width - SVGPanel.margin.right }
  var plotTop: Double { y + SVGPanel.margin.top }
  var plotBottom: Double { y + height - SVGPanel.margin.bottom }

  func px(_ value: Double) -> Double {
    let l = Foundation.log10(value)
    return plotLeft + (l - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound)
      * (plotRight - plotLeft)
  }

  func py(_ value: Double) -> Double {
    let l = Foundation.log10(value)
    return plotBottom - (l - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound)
      * (plotBottom - plotTop)
  }

  func inside(_ u: Double, _ v: Double) -> Bool {
    u.isFinite && v.isFinite && u >= plotLeft - 0.5 && u <= plotRight + 0.5 && v >= plotTop - 0.5
      && v <= plotBottom + 0.5
  }

  /// A polyline through the positive points; segments leaving the plot are clipped by a clipPath.
  mutating func line(
    _ xs: [Double], _ ys: [Double], color: String, width: Double = 1.3, dash: String? = nil
  ) {
    let points = zip(xs, ys).compactMap { (a, b) -> String? in
      guard a > 0, b > 0, a.isFinite, b.isFinite else { return nil }
      return String(format: "%.1f,%.1f", px(a), py(b))
    }
    guard points.count >= 2 else { return }
    let dashAttribute = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
    body.append(
      "<polyline clip-path=\"url(#\(clipID))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(width)\"\(dashAttribute) points=\"\(points.joined(separator: " "))\"/>"
    )
  }

  mutating func marker(_ a: Double, _ b: Double, color: String) {
    let u = px(a)
    let v = py(b)
    guard inside(u, v) else { return }
    body.append(
      String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.2\" fill=\"%@\"/>", u, v, color))
  }

  var clipID: String { String(format: "clip%.0f_%.0f", x, y) }

  /// Legend entries drawn top-right inside the plot.
  mutating func legend(_ entries: [(String, String, String?)]) {
    guard !entries.isEmpty else { return }
    body.append(
      String(
        format:
          "<rect x=\"%.1f\" y=\"%.1f\" width=\"88\" height=\"%.1f\" fill=\"white\" fill-opacity=\"0.85\"/>",
        plotRight - 90, plotTop + 2, Double(entries.count) * 11 + 3))
    var v = plotTop + 10
    for (label, color, dash) in entries {
      let dashAttribute = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
      body.append(
        String(
          format:
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\"%@/>",
          plotRight - 86, v - 3, plotRight - 70, v - 3, color, dashAttribute))
      body.append(
        String(
          format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\">%@</text>", plotRight - 66, v,
          SVGText.escape(label)))
      v += 11
    }
  }

  func render() -> String {
    var out: [String] = []
    out.append(
      String(
        format:
          "<clipPath id=\"%@\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath>",
        clipID, plotLeft, plotTop, plotRight - plotLeft, plotBottom - plotTop))
    out.append(
      String(
        format:
          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"white\" stroke=\"#444\"/>",
        plotLeft, plotTop, plotRight - plotLeft, plotBottom - plotTop))
    // Decade ticks and grid.
    for k in Int(
      xRange.lowerBound.rounded(.up))...max(
        Int(xRange.lowerBound.rounded(.up)), Int(xRange.upperBound.rounded(.down)))
    {
      let u = px(Foundation.pow(10, Double(k)))
      guard u >= plotLeft - 0.5 && u <= plotRight + 0.5 else { continue }
      out.append(
        String(
          format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", u,
          plotTop, u, plotBottom))
      out.append(
        String(
          format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"middle\">1e%d</text>",
          u, plotBottom + 12, k))
    }
    let yTicks = SVGPanel.ticks(yRange)
    for value in yTicks {
      let v = py(value)
      guard v >= plotTop - 0.5 && v <= plotBottom + 0.5 else { continue }
      out.append(
        String(
          format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>",
          plotLeft, v, plotRight, v))
      out.append(
        String(
          format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" text-anchor=\"end\">%@</text>",
          plotLeft - 4, v + 3, String(format: "%g", value)))
    }
    out.append(contentsOf: body)
    out.append(
      String(
        format:
          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" font-weight=\"bold\" text-anchor=\"middle\">%@</text>",
        (plotLeft + plotRight) / 2, y + 16, SVGText.escape(title)))
    out.append(
      String(
        format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\">%@</text>",
        (plotLeft + plotRight) / 2, plotBottom + 28, SVGText.escape(xLabel)))
    out.append(
      String(
        format:
          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\" transform=\"rotate(-90 %.1f %.1f)\">%@</text>",
        x + 14, (plotTop + plotBottom) / 2, x + 14, (plotTop + plotBottom) / 2,
        SVGText.escape(yLabel)))
    return out.joined(separator: "\n")
  }

  /// 1-2-5 ticks inside a log10 range (about 3 to 8 labels).
  static func ticks(_ range: ClosedRange<Double>) -> [Double] {
    var result: [Double] = []
    let span = range.upperBound - range.lowerBound
    let mantissas: [Double] = span > 2 ? [1] : (span > 0.8 ? [1, 2, 5] : [1, 1.5, 2, 3, 5, 7])
    for k in Int(range.lowerBound.rounded(.down))...Int(range.upperBound.rounded(.up)) {
      for m in mantissas {
        let value = m * Foundation.pow(10, Double(k))
        let l = Foundation.log10(value)
        if l >= range.lowerBound && l <= range.upperBound { result.append(value) }
      }
    }
    return result
  }
}

enum SVGText {
  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  /// Colour `k` of `n` on a blue-to-orange ramp (small widths blue).
  static func color(_ k: Int, of n: Int) -> String {
    let stops: [(Double, Double, Double)] = [
      (49, 54, 149), (69, 117, 180), (116, 173, 209), (102, 189, 99), (244, 109, 67), (165, 0, 38),
    ]
    let t = n > 1 ? Double(k) / Double(n - 1) : 0
    let position = t * Double(stops.count - 1)
    let i = min(Int(position), stops.count - 2)
    let f = position - Double(i)
    let c = (0..<3).map { j -> Int in
      let a = [stops[i].0, stops[i].1, stops[i].2][j]
      let b = [stops[i + 1].0, stops[i + 1].1, stops[i + 1].2][j]
      return Int((a + f * (b - a)).rounded())
    }
    return String(format: "#%02x%02x%02x", c[0], c[1], c[2])
  }
}
