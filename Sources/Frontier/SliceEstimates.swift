import Foundation

/// Every fit of one slice for one set of curve weights (the data, or a
/// bootstrap replicate), and the named statistics the bootstrap tracks.
struct SliceEstimates: Sendable {
  var timeFits: [WidthTimeFit] = []
  var widthFit: PowerLawFit?
  var widthFitTime: Double?
  /// `L_inf ~ N^x` from the known floors (nil without them).
  var floorWidthFit: PowerLawFit?
  var envelope: ComputeEnvelope?
  var isoFLOP: IsoFLOPFit?
  var parametric: ParametricFitResult?
  var computeWidthPower: Double = 1
  var notes: [String] = []
  /// Why a width has no `L(t)` fit.
  var timeFitFailures: [Double: String] = [:]

  /// Every statistic of these fits as a signed log-log slope (or surface
  /// parameter); `parametric.loss = -ab/(a+pb)`.
  var statistics: [Statistic: Double] {
    var s: [Statistic: Double] = [:]
    for fit in timeFits { s[.timeAtWidth(fit.width)] = fit.fit.exponent }
    if let last = timeFits.last { s[.time] = last.fit.exponent }
    if let w = widthFit { s[.width] = w.exponent }
    if let f = floorWidthFit { s[.widthFloor] = f.exponent }
    for quantity in ComputeQuantity.allCases {
      if let e = envelope { s[.compute(.envelope, quantity)] = e.fit(quantity).exponent }
      if let i = isoFLOP { s[.compute(.isoflop, quantity)] = i.fit(quantity).exponent }
    }
    if let p = parametric?.best {
      s[.surface(.E)] = p.E
      s[.surface(.A)] = p.A
      s[.surface(.a)] = p.a
      s[.surface(.B)] = p.B
      s[.surface(.b)] = p.b
      s[.compute(.parametric, .loss)] = -p.lossDecayExponent(computeWidthPower: computeWidthPower)
      s[.compute(.parametric, .width)] = p.sizeAllocationExponent(
        computeWidthPower: computeWidthPower)
      s[.compute(.parametric, .time)] = p.lengthAllocationExponent(
        computeWidthPower: computeWidthPower)
    }
    return s
  }

  /// Runs every approach on `curves`. With `reference`, the parametric fit
  /// is a warm-started refit (bootstrap); without, a full grid search.
  static func estimate(
    _ curves: [WidthCurve], options: FrontierOptions, reference: ParametricFitResult?
  ) -> SliceEstimates {
    var result = SliceEstimates()
    result.computeWidthPower = computeWidthPower(curves, measure: options.computeMeasure)
    (result.timeFits, result.timeFitFailures) = PerAxisFits.timeFits(
      curves, policy: options.timeWindow)
    if let (fit, time) = PerAxisFits.widthFit(curves, policy: options.widthWindow) {
      result.widthFit = fit
      result.widthFitTime = time
    }
    result.floorWidthFit = PerAxisFits.floorWidthFit(curves)
    let (envelope, envelopeNote) = ComputeEnvelope.build(
      curves, gridPoints: options.envelopeGridPoints)
    result.envelope = envelope
    let (iso, isoNote) = IsoFLOPFit.build(
      curves, budgets: options.isoFLOPBudgets, minimumWidths: options.isoFLOPMinimumWidths,
      halfWindow: options.isoFLOPHalfWindow)
    result.isoFLOP = iso
    result.notes = [envelopeNote, isoNote].compactMap { $0 }
    if curves.count >= 2 {
      let points = surfacePoints(curves, transientDrop: options.parametricTransientDrop)
      let fitter = ParametricSurfaceFitter(options: options.parametric)
      do {
        if let reference {
          let best = try fitter.refit(
            points, weights: [Double](repeating: 1, count: points.count), reference: reference)
          result.parametric = ParametricFitResult(
            best: best, localOptima: [best], startsRun: reference.localOptima.count,
            startsConverged: 1)
        } else {
          result.parametric = try fitter.fit(points)
        }
      } catch {
        result.notes.append("parametric: \(error)")
      }
    } else {
      result.notes.append("parametric: needs at least 2 widths")
    }
    return result
  }

  /// `p` in `C ∝ N^p t`: slope of log(compute per step) on log(width).
  static func computeWidthPower(_ curves: [WidthCurve], measure: ComputeMeasure) -> Double {
    guard measure == .flops, curves.count >= 2,
      let fit = try? PowerLawFit.fit(x: curves.map(\.width), y: curves.map(\.computePerStep))
    else { return 1 }
    return fit.exponent
  }

  /// `(N, t, L_bar)` records after the transient, one point per record.
  static func surfacePoints(_ curves: [WidthCurve], transientDrop: Double) -> SurfacePoints {
    var size: [Double] = []
    var length: [Double] = []
    var loss: [Double] = []
    for curve in curves {
      for i in curve.afterTransient(drop: transientDrop) {
        size.append(curve.width)
        length.append(curve.steps[i])
        loss.append(curve.loss[i])
      }
    }
    var ignored: [String] = []
    return SurfacePoints(size: size, length: length, loss: loss, warnings: &ignored)
  }
}
