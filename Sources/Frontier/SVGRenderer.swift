import Foundation

/// The frontier figure as SVG text: one row per `(task, data)`, one column
/// per `gamma` (lazy first, so lazy and rich sit side by side); each cell
/// has two panels, loss against compute (curves per width, the envelope,
/// its power-law fit and the theory slope through the envelope's middle)
/// and loss against steps (curves per width with their fit windows).
public enum FrontierSVG {
  public static func render(
    _ report: FrontierReport, curves: [LossCurve], options: FrontierOptions = FrontierOptions()
  ) -> String {
    let slices = CurveSlice.slices(
      curves, measure: options.computeMeasure, resampling: options.resampling)
    let gammas = Array(Set(report.slices.map(\.key.gamma))).sorted()
    var rows: [String] = []
    for s in report.slices {
      let row = "\(s.key.task)|\(s.key.data.map { String($0) } ?? "online")"
      if !rows.contains(row) { rows.append(row) }
    }
    let panelWidth = 330.0
    let panelHeight = 250.0
    let width = Double(gammas.count) * 2 * panelWidth + 20
    let height = Double(rows.count) * panelHeight + 20
    var out = [
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
      String(
        format:
          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">",
        width, height, width, height),
      "<rect width=\"100%\" height=\"100%\" fill=\"#fafafa\"/>",
    ]
    for s in report.slices {
      guard let slice = slices.first(where: { $0.key == s.key }) else { continue }
      let row = rows.firstIndex(of: "\(s.key.task)|\(s.key.data.map { String($0) } ?? "online")")!
      let column = gammas.firstIndex(of: s.key.gamma)!
      let widthCurves = slice.widthCurves(
        curveWeights: [Double](repeating: 1, count: slice.curves.count))
      let x0 = 10 + Double(column) * 2 * panelWidth
      let y0 = 10 + Double(row) * panelHeight
      out.append(
        computePanel(
          s, widthCurves, x: x0, y: y0, w: panelWidth, h: panelHeight,
          measure: options.computeMeasure))
      out.append(
        timePanel(s, widthCurves, x: x0 + panelWidth, y: y0, w: panelWidth, h: panelHeight))
    }
    out.append("</svg>")
    return out.joined(separator: "\n") + "\n"
  }

  static func range(_ values: [Double]) -> ClosedRange<Double> {
    let logs = values.filter { $0 > 0 && $0.isFinite }.map { Foundation.log10($0) }
    guard let lo = logs.min(), let hi = logs.max() else { return 0...1 }
    let pad = max(0.05 * (hi - lo), 0.02)
    return (lo - pad)...(hi + pad)
  }

  static func label(_ s: SliceReport) -> String {
    "\(s.regime.rawValue) gamma=\(String(format: "%g", s.key.gamma)) \(s.key.task) P=\(s.key.data.map { String(format: "%g", $0) } ?? "online")"
  }

  static func computePanel(
    _ s: SliceReport, _ curves: [WidthCurve], x: Double, y: Double, w: Double, h: Double,
    measure: ComputeMeasure
  ) -> String {
    var panel = SVGPanel(
      x: x, y: y, width: w, height: h, xRange: range(curves.flatMap(\.compute)),
      yRange: range(curves.flatMap(\.loss)), title: label(s),
      xLabel: measure == .nt ? "compute C = N t" : "compute C (FLOPs)", yLabel: "loss")
    for (k, curve) in curves.enumerated() {
      panel.line(curve.compute, curve.loss, color: SVGText.color(k, of: curves.count), width: 1)
    }
    var legend: [(String, String, String?)] = []
    if let e = s.envelope {
      panel.line(e.points.map(\.compute), e.points.map(\.loss), color: "#000", width: 2.2)
      let c = e.fittedPoints.map { e.points[$0].compute }
      if let lo = c.min(), let hi = c.max() {
        panel.line([lo, hi], [e.loss(lo), e.loss(hi)], color: "#d62728", width: 1.6, dash: "6,3")
        legend.append(("envelope", "#000", nil))
        legend.append((String(format: "fit C^%.3f", e.loss.exponent), "#d62728", "6,3"))
        if let t = s.theory {
          let slope = -t.computeOptimal(computeWidthPower: s.computeWidthPower).loss
          let mid = Foundation.sqrt(lo * hi)
          let anchor = e.loss(mid)
          let f = { (c: Double) in anchor * Foundation.pow(c / mid, slope) }
          panel.line([lo, hi], [f(lo), f(hi)], color: "#2ca02c", width: 1.6, dash: "2,3")
          legend.append((String(format: "theory C^%.3f", slope), "#2ca02c", "2,3"))
        }
      }
    }
    panel.legend(legend)
    return panel.render()
  }

  static func timePanel(
    _ s: SliceReport, _ curves: [WidthCurve], x: Double, y: Double, w: Double, h: Double
  )
    -> String
  {
    var panel = SVGPanel(
      x: x, y: y, width: w, height: h, xRange: range(curves.flatMap(\.steps)),
      yRange: range(curves.flatMap(\.loss)), title: "loss vs steps", xLabel: "steps t",
      yLabel: "loss")
    var legend: [(String, String, String?)] = []
    for (k, curve) in curves.enumerated() {
      let color = SVGText.color(k, of: curves.count)
      panel.line(curve.steps, curve.loss, color: color, width: 1)
      if let fit = s.timeFits.first(where: { $0.width == curve.width })?.fit {
        panel.line(
          [fit.windowLower, fit.windowUpper], [fit(fit.windowLower), fit(fit.windowUpper)],
          color: color,
          width: 3)
      }
      if curves.count <= 10 || k % max(1, curves.count / 8) == 0 {
        legend.append(("N=\(String(format: "%g", curve.width))", color, nil))
      }
    }
    // Theory slope through the middle of the widest net's fit window.
    if let t = s.theory, let fit = s.timeFits.last?.fit {
      let mid = Foundation.sqrt(fit.windowLower * fit.windowUpper)
      let anchor = fit(mid) * 0.8
      let f = { (x: Double) in anchor * Foundation.pow(x / mid, -t.timeExponent) }
      let lo = fit.windowLower / 2
      let hi = fit.windowUpper * 2
      panel.line([lo, hi], [f(lo), f(hi)], color: "#2ca02c", width: 1.6, dash: "2,3")
      legend.append((String(format: "theory t^-%.3f", t.timeExponent), "#2ca02c", "2,3"))
    }
    panel.legend(legend)
    return panel.render()
  }
}
