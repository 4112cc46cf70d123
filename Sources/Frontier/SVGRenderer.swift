import Foundation

/// Size and type of the frontier figure.
public struct FrontierPlotOptions: Sendable, Equatable {
  /// Width of the whole figure in pixels.
  public var width: Double = 1100
  /// Height of the whole figure (nil: 420 per task and data row).
  public var height: Double? = nil
  /// Tick label size; titles and axis labels are a little larger.
  public var fontSize: Double = 13
  public init() {}
}

/// The frontier figure as SVG text: one row per `(task, data)`, two panels
/// sharing one loss axis, loss against compute (curves per width, the
/// envelope of each regime and its theory slope) and loss against steps
/// (curves per width, the widest net's theory slope per regime). Lazy and
/// rich are overlaid on the same axes (lazy dashed, rich solid), a shaded
/// band shows the spread over seeds, ticks are powers of ten, and the
/// legend (widths, regimes, theory) sits beside the panels, never on a curve.
public enum FrontierSVG {
  public static func render(
    _ report: FrontierReport, analysis: FrontierAnalysis,
    plot: FrontierPlotOptions = FrontierPlotOptions()
  ) -> String {
    var rows: [String] = []
    var members: [String: [SliceReport]] = [:]
    for s in report.slices {
      let row = "\(s.key.task)|\(s.key.data.map { "\($0)" } ?? "online")"
      if members[row] == nil { rows.append(row) }
      members[row, default: []].append(s)
    }
    let width = plot.width
    let height = plot.height ?? Double(rows.count) * 420
    let rowHeight = height / Double(max(1, rows.count))
    let legendWidth = max(150, 13 * plot.fontSize)
    let panelWidth = (width - legendWidth - 10) / 2
    var out = [
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
      String(
        format:
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">",
        width, height, width, height),
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
    ]
    let allWidths = Array(Set(report.slices.flatMap(\.widths))).sorted()
    func color(_ w: Double) -> String {
      SVGText.color(allWidths.firstIndex(of: w) ?? 0, of: allWidths.count)
    }
    for (r, row) in rows.enumerated() {
      let slices = members[row]!.sorted { $0.key.gamma < $1.key.gamma }
      // Row heading over both panels: task and data.
      let heading = 1.9 * plot.fontSize
      out.append(
        String(
          format:
            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" font-weight=\"bold\">%@</text>",
          4.6 * plot.fontSize + 8, Double(r) * rowHeight + 1.4 * plot.fontSize,
          plot.fontSize + 3, SVGText.escape(FrontierText.title(slices[0]))))
      let y0 = Double(r) * rowHeight + heading
      let panelHeight = rowHeight - heading
      let curves = slices.map { analysis.curves(of: $0.key) }
      // One loss axis for both panels and both regimes.
      let yRange = range(curves.flatMap { $0.flatMap(\.loss) })
      var compute = SVGPanel(
        x: 0, y: y0, width: panelWidth, height: panelHeight,
        xRange: range(curves.flatMap { $0.flatMap(\.compute) }), yRange: yRange,
        title: "loss vs compute",
        xLabel: report.computeMeasure == .nt ? "compute C = N t" : "compute C (FLOPs)",
        yLabel: "test loss")
      var time = SVGPanel(
        x: panelWidth, y: y0, width: panelWidth, height: panelHeight,
        xRange: range(curves.flatMap { $0.flatMap(\.steps) }), yRange: yRange,
        title: "loss vs steps", xLabel: "steps t", yLabel: "test loss")
      compute.fontSize = plot.fontSize
      time.fontSize = plot.fontSize
      for (s, widthCurves) in zip(slices, curves) {
        let dash: String? = s.regime == .lazy ? "7,4" : nil
        let runs = analysis.runs(of: s.key)
        for curve in widthCurves {
          let c = color(curve.width)
          if let runs {
            let (low, high) = runs.seedSpread(width: curve.width, at: curve.steps)
            compute.band(curve.compute, low, high, color: c)
            time.band(curve.steps, low, high, color: c)
          }
          compute.line(curve.compute, curve.loss, color: c, width: 1.6, dash: dash)
          time.line(curve.steps, curve.loss, color: c, width: 1.6, dash: dash)
        }
        if let e = s.envelope {
          compute.line(
            e.points.map(\.compute), e.points.map(\.loss), color: "#000", width: 2.6, dash: dash)
          if let t = s.theory, let lo = e.points.first?.compute, let hi = e.points.last?.compute {
            // Theory slope through the envelope's middle, offset below it.
            let slope = -t.computeOptimal(computeWidthPower: s.computeWidthPower).loss
            let mid = Foundation.sqrt(lo * hi)
            let anchor =
              0.7
              * (e.points.min { abs(log($0.compute / mid)) < abs(log($1.compute / mid)) }?.loss ?? 1)
            let f = { (c: Double) in anchor * Foundation.pow(c / mid, slope) }
            let a = Foundation.sqrt(lo * mid)
            let b = Foundation.sqrt(mid * hi)
            compute.line([a, b], [f(a), f(b)], color: theoryColor(s.regime), width: 2.4)
          }
        }
        if let t = s.theory, let fit = s.timeFits.last?.fit {
          let mid = Foundation.sqrt(fit.windowLower * fit.windowUpper)
          let anchor = fit(mid) * 0.7
          let f = { (x: Double) in anchor * Foundation.pow(x / mid, -t.timeExponent) }
          let lo = fit.windowLower
          let hi = fit.windowUpper
          time.line([lo, hi], [f(lo), f(hi)], color: theoryColor(s.regime), width: 2.4)
        }
      }
      out.append(compute.render())
      out.append(time.render())
      out.append(
        legend(
          slices, widths: Array(Set(slices.flatMap(\.widths))).sorted(), color: color,
          x: 2 * panelWidth + 10, y: y0 + compute.margin.top, fontSize: plot.fontSize))
    }
    out.append("</svg>")
    return out.joined(separator: "\n") + "\n"
  }

  static func theoryColor(_ regime: TrainingRegime) -> String {
    regime == .lazy ? "#7f7f7f" : "#2ca02c"
  }

  /// Widths by colour, regimes by line style, theory slopes.
  static func legend(
    _ slices: [SliceReport], widths: [Double], color: (Double) -> String, x: Double, y: Double,
    fontSize fs: Double
  ) -> String {
    var out: [String] = []
    var v = y + fs
    func entry(_ label: String, _ stroke: String, _ dash: String?, _ width: Double = 2.4) {
      let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
      out.append(
        String(
          format:
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"%.1f\"%@/>",
          x, v - fs / 3, x + 2.4 * fs, v - fs / 3, stroke, width, d))
      out.append(
        String(
          format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\">%@</text>", x + 2.8 * fs, v, fs,
          SVGText.escape(label)))
      v += 1.45 * fs
    }
    out.append(
      String(
        format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" font-weight=\"bold\">width</text>",
        x, v, fs))
    v += 1.45 * fs
    for w in widths { entry("N = \(FrontierText.g(w))", color(w), nil, 3) }
    v += 0.5 * fs
    for s in slices {
      entry(FrontierText.regimeLabel(s), "#333", s.regime == .lazy ? "7,4" : nil)
    }
    entry("envelope L*(C)", "#000", nil, 3)
    for regime in Set(slices.map(\.regime)).sorted(by: { $0.rawValue < $1.rawValue })
    where slices.contains(where: { $0.regime == regime && $0.theory != nil }) {
      entry("theory slope, \(regime.rawValue)", theoryColor(regime), nil)
    }
    out.append(
      String(
        format:
          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" fill=\"#555\">band: seed range</text>",
        x, v + 0.3 * fs, fs - 1))
    return out.joined(separator: "\n")
  }

  static func range(_ values: [Double]) -> ClosedRange<Double> {
    let logs = values.filter { $0 > 0 && $0.isFinite }.map { Foundation.log10($0) }
    guard let lo = logs.min(), let hi = logs.max() else { return 0...1 }
    let pad = max(0.04 * (hi - lo), 0.02)
    return (lo - pad)...(hi + pad)
  }
}
