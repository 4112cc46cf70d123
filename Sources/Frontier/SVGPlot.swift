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
  /// Font size of tick labels (axis labels +1, title +2).
  var fontSize: Double = 13

  var margin: (left: Double, right: Double, top: Double, bottom: Double) {
    (4.6 * fontSize + 8, 10, 2 * fontSize + 4, 3.3 * fontSize + 6)
  }

  var plotLeft: Double { x + margin.left }
  var plotRight: Double { x + width - margin.right }
  var plotTop: Double { y + margin.top }
  var plotBottom: Double { y + height - margin.bottom }

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

  /// A shaded band between `low` and `high` (e.g. the spread over seeds).
  mutating func band(_ xs: [Double], _ low: [Double], _ high: [Double], color: String) {
    var upper: [String] = []
    var lower: [String] = []
    for i in xs.indices where xs[i] > 0 && low[i] > 0 && high[i] > 0 && high[i].isFinite {
      upper.append(String(format: "%.1f,%.1f", px(xs[i]), py(high[i])))
      lower.append(String(format: "%.1f,%.1f", px(xs[i]), py(low[i])))
    }
    guard upper.count >= 2 else { return }
    body.append(
      "<polygon clip-path=\"url(#\(clipID))\" fill=\"\(color)\" fill-opacity=\"0.18\" stroke=\"none\" points=\"\((upper + lower.reversed()).joined(separator: " "))\"/>"
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

  func render() -> String {
    let fs = fontSize
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
    // Decade ticks on x, labelled 10^k.
    for value in SVGPanel.ticks(xRange, decadesOnly: true) {
      let u = px(value)
      guard u >= plotLeft - 0.5 && u <= plotRight + 0.5 else { continue }
      out.append(
        String(
          format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>", u,
          plotTop, u, plotBottom))
      out.append(
        String(
          format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"middle\">%@</text>",
          u, plotBottom + fs + 4, fs, SVGPanel.powerOfTen(value, fontSize: fs)))
    }
    for value in SVGPanel.ticks(yRange, decadesOnly: false) {
      let v = py(value)
      guard v >= plotTop - 0.5 && v <= plotBottom + 0.5 else { continue }
      out.append(
        String(
          format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>",
          plotLeft, v, plotRight, v))
      out.append(
        String(
          format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"end\">%@</text>",
          plotLeft - 5, v + fs / 3, fs, SVGPanel.powerOfTen(value, fontSize: fs)))
    }
    out.append(contentsOf: body)
    out.append(
      String(
        format:
          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" font-weight=\"bold\" text-anchor=\"middle\">%@</text>",
        (plotLeft + plotRight) / 2, y + fs + 4, fs + 2, SVGText.escape(title)))
    out.append(
      String(
        format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"middle\">%@</text>",
        (plotLeft + plotRight) / 2, plotBottom + 2.6 * fs + 4, fs + 1, SVGText.escape(xLabel)))
    let cy = (plotTop + plotBottom) / 2
    out.append(
      String(
        format:
          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"middle\" transform=\"rotate(-90 %.1f %.1f)\">%@</text>",
        x + fs, cy, fs + 1, x + fs, cy, SVGText.escape(yLabel)))
    return out.joined(separator: "\n")
  }

  /// `10^k`, or `m×10^k` between decades, as SVG text with a superscript.
  static func powerOfTen(_ value: Double, fontSize: Double) -> String {
    let exponent = Int((Foundation.log10(value) + 1e-9).rounded(.down))
    let mantissa = value / Foundation.pow(10, Double(exponent))
    let m = (mantissa * 10).rounded() / 10
    let prefix = abs(m - 1) < 1e-6 ? "10" : "\(String(format: "%g", m))×10"
    return
      "\(prefix)<tspan dy=\"-\(Int(fontSize * 0.45))\" font-size=\"\(Int(fontSize * 0.75))\">\(exponent)</tspan>"
  }

  /// Ticks inside a log10 range: decades, plus 2 and 5 (or 2..9) between
  /// them when the range spans fewer than two decades.
  static func ticks(_ range: ClosedRange<Double>, decadesOnly: Bool) -> [Double] {
    var result: [Double] = []
    let span = range.upperBound - range.lowerBound
    let step = max(1, Int((span / 6).rounded(.up)))
    let mantissas: [Double] =
      decadesOnly || span > 2 ? [1] : (span > 0.8 ? [1, 2, 5] : [1, 2, 3, 4, 5, 6, 7, 8, 9])
    for k in Int(range.lowerBound.rounded(.down))...Int(range.upperBound.rounded(.up)) {
      if mantissas == [1] && k % step != 0 { continue }
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
