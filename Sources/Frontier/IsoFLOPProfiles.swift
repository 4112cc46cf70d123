import Foundation

/// One IsoFLOP profile: losses of all widths at the same compute `C`, a
/// parabola `log L = c0 + c1 x + c2 x^2` in `x = log N`, and its vertex
/// `N* = exp(-c1 / (2 c2))`.
public struct IsoFLOPProfile: Sendable, Codable, Equatable {
  public var compute: Double
  public var optimalWidth: Double
  public var optimalSteps: Double
  public var optimalLoss: Double
  /// `c2`, the curvature of the parabola in `log N`.
  public var curvature: Double
  public var widthCount: Int
}

/// Approach 2 (Hoffmann et al. 2022): IsoFLOP profiles at `budgets`
/// log-spaced compute values (inside the range where at least
/// `minimumWidths` curves reach that compute), then power laws of the
/// vertices: `N*(C)`, `t*(C) = C / c(N*)` and `L*(C)`.
///
/// With `halfWindow`, each parabola is fitted only to the widths within
/// `halfWindow` grid steps of the lowest loss at that budget.
///
/// Known bias: the true profile `A N^-a + B (C/c(N))^-b` is not a parabola
/// in `log N` (it is asymmetric), so the vertex moves with where the width
/// grid sits relative to the optimum; when that placement drifts with `C`
/// the exponent is biased. Profiles whose vertex falls outside the sampled
/// widths, or that open downwards, are dropped.
public struct IsoFLOPFit: Sendable, Codable, Equatable {
  public var profiles: [IsoFLOPProfile]
  public var width: PowerLawFit
  public var time: PowerLawFit
  public var loss: PowerLawFit

  /// The fit of one compute-optimal quantity.
  public func fit(_ quantity: ComputeQuantity) -> PowerLawFit {
    switch quantity {
    case .loss: return loss
    case .width: return width
    case .time: return time
    }
  }

  static func build(_ curves: [WidthCurve], budgets: Int, minimumWidths: Int, halfWindow: Int?)
    -> (IsoFLOPFit?, String?)
  {
    guard curves.count >= max(3, minimumWidths) else {
      return (nil, "isoFLOP: needs at least \(max(3, minimumWidths)) widths")
    }
    guard let lo = curves.compactMap(\.logCompute.first).min(),
      let hi = curves.compactMap(\.logCompute.last).max(), hi > lo
    else { return (nil, "isoFLOP: no compute range") }
    var eligible: [Double] = []
    for k in 0..<200 {
      let x = lo + (hi - lo) * Double(k) / 199
      let count = curves.filter { x >= $0.logCompute.first! && x <= $0.logCompute.last! }.count
      if count >= max(3, minimumWidths) { eligible.append(x) }
    }
    guard let first = eligible.first, let last = eligible.last, last > first else {
      return (nil, "isoFLOP: no compute range reached by \(max(3, minimumWidths)) widths")
    }
    let logWidths = curves.map { Foundation.log($0.width) }
    let logPerStep = curves.map { Foundation.log($0.computePerStep) }
    var profiles: [IsoFLOPProfile] = []
    var dropped = 0
    let count = max(2, budgets)
    for k in 0..<count {
      let x = first + (last - first) * Double(k) / Double(count - 1)
      var px: [Double] = []
      var py: [Double] = []
      for (j, curve) in curves.enumerated() {
        if let y = curve.logLoss(atLogCompute: x) {
          px.append(logWidths[j])
          py.append(y)
        }
      }
      // Local parabola: only the `halfWindow` widths on each side of the
      // lowest loss, which shrinks the asymmetry bias.
      if let halfWindow, let lowest = py.indices.min(by: { py[$0] < py[$1] }) {
        let range = max(0, lowest - halfWindow)...min(py.count - 1, lowest + halfWindow)
        px = Array(px[range])
        py = Array(py[range])
      }
      guard px.count >= 3, let parabola = Parabola.fit(x: px, y: py), parabola.c2 > 0 else {
        dropped += 1
        continue
      }
      let vertex = parabola.vertex
      guard vertex >= px.min()! && vertex <= px.max()! else {
        dropped += 1
        continue
      }
      let logPerStepAtVertex =
        LogLogInterpolation.value(x: logWidths, y: logPerStep, at: vertex) ?? logPerStep[0]
      profiles.append(
        IsoFLOPProfile(
          compute: Foundation.exp(x), optimalWidth: Foundation.exp(vertex),
          optimalSteps: Foundation.exp(x - logPerStepAtVertex),
          optimalLoss: Foundation.exp(parabola(vertex)), curvature: parabola.c2,
          widthCount: px.count))
    }
    let note =
      dropped > 0
      ? "isoFLOP: dropped \(dropped) of \(count) profiles (vertex outside widths or not convex)"
      : nil
    let c = profiles.map(\.compute)
    guard
      let width = try? PowerLawFit.fit(
        x: c, y: profiles.map(\.optimalWidth), context: "isoFLOP N*"),
      let time = try? PowerLawFit.fit(x: c, y: profiles.map(\.optimalSteps), context: "isoFLOP t*"),
      let loss = try? PowerLawFit.fit(x: c, y: profiles.map(\.optimalLoss), context: "isoFLOP L*")
    else { return (nil, (note.map { $0 + "; " } ?? "") + "isoFLOP: fewer than 2 usable profiles") }
    return (IsoFLOPFit(profiles: profiles, width: width, time: time, loss: loss), note)
  }
}

/// Least-squares parabola `y = c0 + c1 x + c2 x^2` (centred for conditioning).
struct Parabola {
  var c0: Double
  var c1: Double
  var c2: Double

  static func fit(x: [Double], y: [Double]) -> Parabola? {
    let n = Double(x.count)
    let mean = x.reduce(0, +) / n
    var s = [Double](repeating: 0, count: 5)
    var t = [Double](repeating: 0, count: 3)
    for (xi, yi) in zip(x, y) {
      let u = xi - mean
      var p = 1.0
      for k in 0..<5 {
        s[k] += p
        if k < 3 { t[k] += p * yi }
        p *= u
      }
    }
    // Normal equations [[s0 s1 s2][s1 s2 s3][s2 s3 s4]] c = t, Cramer's rule.
    func det(_ m: [[Double]]) -> Double {
      m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1]
        * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    }
    let m = [[s[0], s[1], s[2]], [s[1], s[2], s[3]], [s[2], s[3], s[4]]]
    let d = det(m)
    guard abs(d) > 1e-300 else { return nil }
    var c = [0.0, 0.0, 0.0]
    for k in 0..<3 {
      var mk = m
      for r in 0..<3 { mk[r][k] = t[r] }
      c[k] = det(mk) / d
    }
    // Un-centre: y = a + b u + q u^2 with u = x - mean.
    return Parabola(
      c0: c[0] - c[1] * mean + c[2] * mean * mean, c1: c[1] - 2 * c[2] * mean, c2: c[2])
  }

  var vertex: Double { -c1 / (2 * c2) }
  func callAsFunction(_ x: Double) -> Double { c0 + c1 * x + c2 * x * x }
}
