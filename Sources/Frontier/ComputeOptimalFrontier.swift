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
  /// Point estimates of every slice (no intervals).
  public static func pointEstimates(
    _ curves: [LossCurve], options: FrontierOptions = FrontierOptions()
  )
    throws -> FrontierReport
  {
    let slices = CurveSlice.slices(
      curves, measure: options.computeMeasure, resampling: options.resampling)
    guard !slices.isEmpty else {
      throw FrontierError.tooFewPoints(context: "frontier: curves", needed: 1, got: 0)
    }
    var reports: [SliceReport] = []
    var averaged: [(CurveSlice, [WidthCurve])] = []
    for slice in slices {
      let widthCurves = slice.widthCurves(
        curveWeights: [Double](repeating: 1, count: slice.curves.count))
      averaged.append((slice, widthCurves))
      let estimates = SliceEstimates.estimate(widthCurves, options: options, reference: nil)
      let first = slice.curves.first
      let regime = TrainingRegime(gamma: slice.key.gamma, lazyAtMost: options.lazyGamma)
      var theory: ScalingTheory? = nil
      if let alpha = first?.taskAlpha, let beta = first?.taskBeta {
        theory = try? ScalingTheory(alpha: alpha, beta: beta, regime: regime)
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
          estimates: estimates.statistics, intervals: [:], theory: theory, comparisons: [],
          warnings: slice.warnings + estimates.notes))
    }
    var report = FrontierReport(
      computeMeasure: options.computeMeasure, bootstrapReplicates: 0,
      confidenceLevel: options.bootstrap.confidenceLevel, slices: reports,
      dataFits: PerAxisFits.dataFits(averaged, lazyGamma: options.lazyGamma), warnings: [])
    report.slices = report.slices.map { attachComparisons($0) }
    report.warnings = report.slices.flatMap { s in s.warnings.map { "\(s.key): \($0)" } }
    return report
  }

  /// Bootstrap replicates `range` (of `options.bootstrap.replicates`) for
  /// every slice of `report`. Replicate `r` of a slice resamples its
  /// clusters with `SplitMix64(baseSeed: baseSeed ^ hash(slice), stream: r)`.
  public static func bootstrapReplicates(
    _ curves: [LossCurve], report: FrontierReport, options: FrontierOptions = FrontierOptions(),
    range: Range<Int>
  ) throws -> [BootstrapReplicate] {
    try Bootstrap.validate(range: range, total: options.bootstrap.replicates)
    let slices = CurveSlice.slices(
      curves, measure: options.computeMeasure, resampling: options.resampling)
    let plans: [(CurveSlice, SliceReport, ParametricFitResult?, UInt64)] = slices.compactMap {
      slice in
      guard let sliceReport = report.slices.first(where: { $0.key == slice.key }) else {
        return nil
      }
      let reference = sliceReport.parametric.map { best in
        ParametricFitResult(
          best: best,
          localOptima: sliceReport.parametricStarts.map {
            ParametricSurface(theta: $0, objective: .nan)
          },
          startsRun: 0, startsConverged: 0)
      }
      return (
        slice, sliceReport, reference, options.bootstrap.baseSeed ^ stableHash(sliceReport.id)
      )
    }
    var replicates: [BootstrapReplicate] = []
    for index in range {
      var resampled: [(CurveSlice, [WidthCurve])] = []
      for (slice, sliceReport, reference, seed) in plans {
        let multiplicities = Bootstrap.clusterMultiplicities(
          clusterCount: slice.clusterCount, baseSeed: seed, index: index)
        let weights = Bootstrap.pointWeights(cluster: slice.cluster, multiplicities: multiplicities)
        let widthCurves = slice.widthCurves(curveWeights: weights)
        resampled.append((slice, widthCurves))
        let estimates = SliceEstimates.estimate(widthCurves, options: options, reference: reference)
        replicates.append(
          BootstrapReplicate(slice: sliceReport.id, index: index, statistics: estimates.statistics))
      }
      // L(P) across the data slices of each group, from the same resamples.
      for fit in PerAxisFits.dataFits(resampled, lazyGamma: options.lazyGamma) {
        replicates.append(
          BootstrapReplicate(slice: fit.id, index: index, statistics: ["data": fit.fit.exponent]))
      }
    }
    return replicates
  }

  /// Attaches percentile intervals (from replicates gathered in any order
  /// or split) and the theory comparisons.
  public static func combine(
    _ report: FrontierReport, replicates: [BootstrapReplicate],
    options: FrontierOptions = FrontierOptions()
  ) -> FrontierReport {
    var result = report
    var bySlice: [String: [BootstrapReplicate]] = [:]
    for r in replicates { bySlice[r.slice, default: []].append(r) }
    result.bootstrapReplicates = Set(replicates.map(\.index)).count
    result.confidenceLevel = options.bootstrap.confidenceLevel
    result.slices = report.slices.map { slice in
      var s = slice
      s.intervals = Bootstrap.intervals(
        estimates: slice.estimates, replicates: bySlice[slice.id] ?? [],
        level: options.bootstrap.confidenceLevel)
      return attachComparisons(s)
    }
    result.dataFits = report.dataFits.map { fit in
      var f = fit
      f.interval =
        Bootstrap.intervals(
          estimates: ["data": fit.fit.exponent], replicates: bySlice[fit.id] ?? [],
          level: options.bootstrap.confidenceLevel)["data"]
      return f
    }
    return result
  }

  /// Point estimates and the full bootstrap in this process.
  public static func analyze(_ curves: [LossCurve], options: FrontierOptions = FrontierOptions())
    throws
    -> FrontierReport
  {
    let report = try pointEstimates(curves, options: options)
    guard options.bootstrap.replicates > 0 else { return report }
    let replicates = try bootstrapReplicates(
      curves, report: report, options: options, range: 0..<options.bootstrap.replicates)
    return combine(report, replicates: replicates, options: options)
  }

  /// Theory rows for a slice with known `(alpha, beta)`.
  static func attachComparisons(_ slice: SliceReport) -> SliceReport {
    var s = slice
    guard let theory = slice.theory else { return s }
    let predicted = theory.predictedSlopes(computeWidthPower: slice.computeWidthPower)
    let rows: [(String, String)] = [
      ("time", "time"), ("width", "width"), ("width", "widthFloor"),
      ("computeLoss", "envelope.loss"), ("computeLoss", "isoflop.loss"),
      ("computeLoss", "parametric.loss"),
      ("computeWidth", "envelope.width"), ("computeWidth", "isoflop.width"),
      ("computeWidth", "parametric.width"),
      ("computeTime", "envelope.time"), ("computeTime", "isoflop.time"),
      ("computeTime", "parametric.time"),
    ]
    s.comparisons = rows.compactMap { quantity, statistic in
      guard let p = predicted[quantity], let m = slice.estimates[statistic] else { return nil }
      let interval = slice.intervals[statistic]
      return TheoryComparison(
        quantity: quantity, statistic: statistic, predicted: p, measured: m, interval: interval,
        consistent: interval.map { $0.contains(p) })
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
