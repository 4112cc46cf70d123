import Foundation

/// A readable text report: per slice, the per-axis fits, the three
/// approaches, intervals and theory.
public enum FrontierText {
  public static func render(_ report: FrontierReport) -> String {
    var out: [String] = []
    let level = Int((report.confidenceLevel * 100).rounded())
    out.append(
      "Compute-optimal frontier (compute = \(report.computeMeasure == .nt ? "N t" : "FLOPs"), bootstrap \(report.bootstrapReplicates) replicates, \(level)% percentile intervals)"
    )
    for s in report.slices {
      out.append("")
      out.append(
        "== \(s.key)  [\(s.regime.rawValue)\(s.theory.map { ", \($0.taskClass.rawValue) task" } ?? "")]"
      )
      out.append(
        "   widths \(s.widths.map { String(format: "%g", $0) }.joined(separator: " ")), seeds \(s.seeds.count), curves \(s.curveCount), C ∝ N^\(f(s.computeWidthPower)) t"
      )
      out.append(
        "   " + pad("statistic", 22) + pad("estimate", 11) + pad("interval", 24) + pad("theory", 9)
          + "R^2 / window")
      func row(_ name: String, _ label: String, _ fit: PowerLawFit?, theoryKey: String? = nil) {
        guard let value = s.estimates[name] else { return }
        let ci = s.intervals[name].map { "[\(f($0.lower)), \(f($0.upper))]" } ?? "-"
        let theory = s.comparisons.first { $0.statistic == (theoryKey ?? name) }
        let mark = theory.map { f($0.predicted) + ($0.consistent == true ? "*" : "") } ?? ""
        let window =
          fit.map { "\(f($0.rSquared)) [\(g($0.windowLower)), \(g($0.windowUpper))]" } ?? ""
        out.append("   " + pad(label, 22) + pad(f(value), 11) + pad(ci, 24) + pad(mark, 9) + window)
      }
      for t in s.timeFits {
        let widest = t.width == s.timeFits.last?.width
        row(
          "time@N=\(String(format: "%g", t.width))", "L~t^x  N=\(g(t.width))", t.fit,
          theoryKey: widest ? "time" : "none")
      }
      row("width", "L~N^x  t=\(g(s.widthFitTime ?? .nan))", s.widthFit)
      row("widthFloor", "L_inf~N^x (floor)", s.floorWidthFit)
      row("envelope.loss", "env   L*~C^x", s.envelope?.loss)
      row("envelope.width", "env   N*~C^x", s.envelope?.width)
      row("envelope.time", "env   t*~C^x", s.envelope?.time)
      row("isoflop.loss", "iso   L*~C^x", s.isoFLOP?.loss)
      row("isoflop.width", "iso   N*~C^x", s.isoFLOP?.width)
      row("isoflop.time", "iso   t*~C^x", s.isoFLOP?.time)
      for key in ["E", "A", "a", "B", "b"] { row("parametric.\(key)", "param \(key)", nil) }
      row("parametric.loss", "param L*-E~C^x", nil)
      row("parametric.width", "param N*~C^x", nil)
      row("parametric.time", "param t*~C^x", nil)
      if let t = s.theory {
        out.append(
          "   theory: "
            + t.summary(computeWidthPower: s.computeWidthPower).replacingOccurrences(
              of: "\n", with: "\n   "))
        out.append("   (* = prediction inside the interval; L(t) rows compare with the widest net)")
      }
      for w in s.warnings { out.append("   warning: \(w)") }
    }
    for d in report.dataFits {
      out.append("")
      out.append(
        "L vs P (gamma=\(g(d.gamma)) task=\(d.task), N=\(g(d.width)), t=\(g(d.time))): exponent \(f(d.fit.exponent))"
          + (d.interval.map { " [\(f($0.lower)), \(f($0.upper))]" } ?? "")
          + (d.predicted.map { ", theory \(f($0))" + (d.interval?.contains($0) == true ? "*" : "") }
            ?? "")
          + ", R^2 \(f(d.fit.rSquared))"
      )
    }
    return out.joined(separator: "\n") + "\n"
  }

  /// Text summary of an external (table) fit.
  public static func render(_ report: ExternalFitReport) -> String {
    var out = [
      "Parametric fit L = E + A N^-a + B D^-b on \(report.pointCount) runs (\(report.fit.startsRun) starts)"
    ]
    for key in ["E", "A", "a", "B", "b", "sizeAllocation", "dataAllocation", "lossDecay"] {
      let value = report.estimates[key] ?? .nan
      let ci =
        report.intervals[key].map { " [\(f($0.lower)), \(f($0.upper))]  SE \(f($0.standardError))" }
        ?? ""
      out.append("  " + pad(key, 16) + f(value) + ci)
    }
    out += report.warnings.map { "  warning: \($0)" }
    return out.joined(separator: "\n") + "\n"
  }

  static func f(_ x: Double) -> String { x.isFinite ? String(format: "%.4g", x) : "-" }
  static func g(_ x: Double) -> String { x.isFinite ? String(format: "%.3g", x) : "-" }
  static func pad(_ s: String, _ n: Int) -> String {
    s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count)
  }
}
