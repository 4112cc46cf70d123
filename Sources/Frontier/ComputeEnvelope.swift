import Foundation

/// One point of the compute envelope: the lowest loss reachable at compute
/// `C`, and the width and steps that reach it.
public struct EnvelopePoint: Sendable, Codable, Equatable {
  public var compute: Double
  public var loss: Double
  public var width: Double
  public var steps: Double
}

/// Approach 1 (Hoffmann et al. 2022): the lower envelope of all learning
/// curves on the loss-compute plane,
///
///     L*(C) = min_N L(N, t = C / c(N)),   c(N) = compute per step,
///
/// with curves interpolated linearly in log-log between records, fitted as
/// `L* ~ C^loss.exponent`, `N*(C) ~ C^width.exponent`, `t*(C) ~ C^time.exponent`.
/// Only points whose optimal width is neither the smallest nor the largest
/// width of the slice are fitted (at the edges the optimum is clipped by the
/// grid), unless fewer than 3 such points exist.
public struct ComputeEnvelope: Sendable, Codable, Equatable {
  public var points: [EnvelopePoint]
  /// Indices of `points` used by the fits.
  public var fittedPoints: [Int]
  public var loss: PowerLawFit
  public var width: PowerLawFit
  public var time: PowerLawFit

  /// The fit of one compute-optimal quantity.
  public func fit(_ quantity: ComputeQuantity) -> PowerLawFit {
    switch quantity {
    case .loss: return loss
    case .width: return width
    case .time: return time
    }
  }

  /// The distinct optimal widths among the fitted points.
  public var fittedOptimalWidths: [Double] {
    Array(Set(fittedPoints.map { points[$0].width })).sorted()
  }

  static func build(_ curves: [WidthCurve], gridPoints: Int) -> (ComputeEnvelope?, String?) {
    guard curves.count >= 2 else { return (nil, "envelope: needs at least 2 widths") }
    guard let lo = curves.compactMap(\.logCompute.first).min(),
      let hi = curves.compactMap(\.logCompute.last).max(), hi > lo
    else { return (nil, "envelope: no compute range") }
    var points: [EnvelopePoint] = []
    var interior: [Int] = []
    let n = max(gridPoints, 3)
    for k in 0..<n {
      let x = lo + (hi - lo) * Double(k) / Double(n - 1)
      var best: (Double, Int)? = nil
      var available = 0
      for (j, curve) in curves.enumerated() {
        guard let y = curve.logLoss(atLogCompute: x) else { continue }
        available += 1
        if best == nil || y < best!.0 { best = (y, j) }
      }
      guard available >= 2, let (y, j) = best else { continue }
      let c = Foundation.exp(x)
      if j != 0 && j != curves.count - 1 { interior.append(points.count) }
      points.append(
        EnvelopePoint(
          compute: c, loss: Foundation.exp(y), width: curves[j].width,
          steps: c / curves[j].computePerStep))
    }
    var note: String? = nil
    var used = interior
    if used.count < 3 {
      used = Array(points.indices)
      note = "envelope: fewer than 3 points with an interior optimal width; fitted all points"
    }
    let c = used.map { points[$0].compute }
    guard
      let loss = try? PowerLawFit.fit(
        x: c, y: used.map { points[$0].loss }, context: "envelope L*"),
      let width = try? PowerLawFit.fit(
        x: c, y: used.map { points[$0].width }, context: "envelope N*"),
      let time = try? PowerLawFit.fit(
        x: c, y: used.map { points[$0].steps }, context: "envelope t*")
    else { return (nil, "envelope: too few points to fit") }
    return (
      ComputeEnvelope(points: points, fittedPoints: used, loss: loss, width: width, time: time),
      note
    )
  }
}
