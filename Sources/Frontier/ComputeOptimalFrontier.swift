import Foundation

/// The compute-optimal frontier solver: per `(gamma, task, data)` slice,
/// per-axis power laws, approach 1 (envelope), approach 2 (IsoFLOP),
/// approach 3 (parametric surface), cluster-bootstrap intervals and the
/// paper's predictions.
///
/// For MPI: every rank calls `pointEstimates` (deterministic), computes
/// `bootstrapReplicates(range:)` for its share, the replicates are gathered
/// (they are `Codable`) and `combine` attaches intervals and comparisons;
/// the result does not depend on how the range was split.
public enum ComputeOptimalFrontier {
  /// Point estimates of every slice, with the slices, averaged curves and
  /// parametric warm starts kept for the bootstrap and the plot.
  public static func prepare(_ curves: [LossCurve], options: FrontierOptions = FrontierOptions())
    throws -> FrontierAnalysis
  {
    let slices = CurveSlice.slices(
      curves, measure: options.computeMeasure, resampling: options.resampling)
    guard !slices.isEmpty else {
      throw FrontierError.tooFewPoints(context: "frontier: curves", needed: 1, got: 0)
    }
    var reports: [SliceReport] = []
    var averaged: [(CurveSlice, [WidthCurve])] = []
    var references: [ParametricFitResult?] = []
    for slice in slices {
      let widthCurves = slice.widthCurves(
        curveWeights: [Double](repeating: 1, count: slice.curves.count),
        aggregation: options.seedAggregation)
      averaged.append((slice, widthCurves))
      let estimates = SliceEstimates.estimate(widthCurves, options: options, reference: nil)
      references.append(estimates.parametric)
      let first = slice.curves.first
      let regime = TrainingRegime(gamma: slice.key.gamma, lazyAtMost: options.lazyGamma)
      var theory: ScalingTheory? = nil
      if let alpha = first?.taskAlpha, let beta = first?.taskBeta {
        theory = try? ScalingTheory(alpha: alpha, beta: beta, regime: regime)
      }
      // Widths that have no L(t) fit are named, never dropped silently.
      var notes = estimates.notes
      let fitted = Set(estimates.timeFits.map(\.width))
      for curve in widthCurves where !fitted.contains(curve.width) {
        let reason = estimates.timeFitFailures[curve.width] ?? "no usable records"
        notes.append("N=\(Statistic.number(curve.width)): no L(t) fit (\(reason))")
      }
      reports.append(
        SliceReport(
          key: slice.key, regime: regime, taskAlpha: first?.taskAlpha,
          taskBeta: first?.taskBeta, widths: slice.widths, seeds: slice.seeds,
          curveCount: slice.curves.count, computeWidthPower: estimates.computeWidthPower,
          timeFits: estimates.timeFits, widthFit: estimates.widthFit,
          widthFitTime: estimates.widthFitTime, floorWidthFit: estimates.floorWidthFit,
          envelope: estimates.envelope,
          isoFLOP: estimates.isoFLOP, parametric: estimates.parametric?.best,
          parametricStarts: estimates.parametric?.localOptima.map(\.theta) ?? [],
          estimates: estimates.statistics, intervals: [:],
          finalLosses: slice.finalLosses,
          smallestLoss: widthCurves.flatMap(\.loss).min() ?? .nan,
          theory: theory, comparisons: [],
          warnings: slice.warnings + notes))
    }
    var report = FrontierReport(
      computeMeasure: options.computeMeasure, bootstrapReplicates: 0,
      confidenceLevel: options.bootstrap.confidenceLevel, slices: reports,
      dataFits: PerAxisFits.dataFits(averaged, lazyGamma: options.lazyGamma), warnings: [])
    report.rules = options.rules
    report.rules.fixedTimeWindow = options.timeWindow.fixedRange != nil
    report = judge(report)
    report.warnings = report.slices.flatMap { s in s.warnings.map { "\(s.key): \($0)" } }
    return FrontierAnalysis(
      options: options, slices: averaged.map(\.0), widthCurves: averaged.map(\.1),
      references: references, report: report)
  }

  /// Point estimates of every slice (no intervals).
  public static func pointEstimates(
    _ curves: [LossCurve], options: FrontierOptions = FrontierOptions()
  ) throws -> FrontierReport {
    try prepare(curves, options: options).report
  }

  /// Point estimates and the full bootstrap in this process.
  public static func analyze(_ curves: [LossCurve], options: FrontierOptions = FrontierOptions())
    throws -> FrontierReport
  {
    let analysis = try prepare(curves, options: options)
    guard options.bootstrap.replicates > 0 else { return analysis.report }
    return analysis.combined(
      replicates: try analysis.bootstrapReplicates(range: 0..<options.bootstrap.replicates))
  }

  /// Applies the reporting rules: theory comparisons, and every statistic
  /// that breaks a rule (`ReportingRules`) marked with why.
  static func judge(_ report: FrontierReport) -> FrontierReport {
    var result = report
    result.slices = report.slices.map { slice in
      var s = slice
      s.rejections = rejections(slice, rules: report.rules)
      return attachComparisons(s)
    }
    result.dataFits = report.dataFits.map { fit in
      var f = fit
      f.rejection =
        report.rules.check(fit.fit)
        ?? report.rules.check(value: fit.fit.exponent, interval: fit.interval)
      return f
    }
    return result
  }

  /// Every statistic of `slice` that breaks a rule.
  static func rejections(_ slice: SliceReport, rules: ReportingRules) -> [Statistic: Rejection] {
    var result: [Statistic: Rejection] = [:]
    for (statistic, value) in slice.estimates {
      let interval = slice.intervals[statistic]
      var timeFit = false
      if case .timeAtWidth = statistic { timeFit = true }
      if statistic == .time { timeFit = true }
      if let fit = slice.fit(for: statistic),
        let rejection = rules.check(fit, fixedWindow: timeFit && rules.fixedTimeWindow)
      {
        result[statistic] = rejection
      } else if case .surface(let parameter) = statistic, let surface = slice.parametric,
        let rejection = rules.check(
          parameter, of: surface, smallestLoss: slice.smallestLoss, interval: interval)
      {
        result[statistic] = rejection
      } else if let rejection = rules.check(value: value, interval: interval) {
        result[statistic] = rejection
      }
    }
    // N*(C) and t*(C) of an envelope with too few optimal widths are steps.
    if let envelope = slice.envelope {
      let optimal = envelope.fittedOptimalWidths
      if optimal.count < 3 {
        for q in [ComputeQuantity.width, .time] {
          result[.compute(.envelope, q)] = .fewOptimalWidths(optimal)
        }
      }
    }
    // The surface's allocation exponents need both of its exponents.
    for parameter in [SurfaceParameter.a, .b] where result[.surface(parameter)] != nil {
      for q in ComputeQuantity.allCases where result[.compute(.parametric, q)] == nil {
        result[.compute(.parametric, q)] = .dependsOn(.surface(parameter))
      }
    }
    return result
  }

  /// Theory rows for a slice with known `(alpha, beta)`; a statistic that
  /// is not shown is compared with nothing.
  static func attachComparisons(_ slice: SliceReport) -> SliceReport {
    var s = slice
    guard let theory = slice.theory else { return s }
    s.comparisons = slice.estimates.keys.sorted().compactMap { statistic in
      guard let quantity = statistic.theoryQuantity, quantity != .data,
        let measured = slice.estimates[statistic]
      else { return nil }
      let predicted = theory.predictedSlope(quantity, computeWidthPower: slice.computeWidthPower)
      let interval = slice.intervals[statistic]
      let shown = slice.rejections[statistic] == nil
      return TheoryComparison(
        quantity: quantity, statistic: statistic, predicted: predicted, measured: measured,
        interval: interval, consistent: shown ? interval.map { $0.contains(predicted) } : nil)
    }
    return s
  }

  /// FNV-1a of a string: a seed offset per slice that is stable across runs.
  static func stableHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01B3
    }
    return hash
  }
}
