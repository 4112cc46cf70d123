import Foundation

/// Approach 3 with bootstrap on external runs (`N`, `D`, `L`), e.g. the
/// Chinchilla table: `L = E + A N^-a + B D^-b` and, with `C = 6 N D`,
/// `N* ~ C^(b/(a+b))`, `D* ~ C^(a/(a+b))`, `L* - E ~ C^-(ab/(a+b))`.
public struct ExternalFitReport: Sendable {
  public var surface: ParametricSurface
  public var fit: ParametricFitResult
  /// The surface parameters and its compute-optimal slopes
  /// (`.compute(.parametric, .width)`: `N* ~ C^x`, `.time`: `D* ~ C^x`,
  /// `.loss`: `L* - E ~ C^x`, a negative slope).
  public var estimates: [Statistic: Double]
  public var intervals: [Statistic: ConfidenceInterval]
  /// Statistics that break a reporting rule.
  public var rejections: [Statistic: Rejection] = [:]
  public var pointCount: Int
  public var warnings: [String]
  /// Smallest loss of the runs (the scale `E` is judged against).
  public var smallestLoss: Double = .nan
}

public enum ExternalFrontier {
  static let slice = "external"

  /// Named statistics of a surface (the bootstrap tracks all of them).
  public static func statistics(_ s: ParametricSurface) -> [Statistic: Double] {
    [
      .surface(.E): s.E, .surface(.A): s.A, .surface(.a): s.a, .surface(.B): s.B,
      .surface(.b): s.b, .compute(.parametric, .width): s.sizeAllocationExponent(),
      .compute(.parametric, .time): s.lengthAllocationExponent(),
      .compute(.parametric, .loss): -s.lossDecayExponent(),
    ]
  }

  /// The order statistics are printed in.
  public static let reported: [Statistic] =
    SurfaceParameter.allCases.map { .surface($0) } + [
      .compute(.parametric, .width), .compute(.parametric, .time), .compute(.parametric, .loss),
    ]

  /// Every statistic of `report` that breaks a rule (as for sweep slices).
  static func judge(_ report: ExternalFitReport, smallestLoss: Double, rules: ReportingRules)
    -> ExternalFitReport
  {
    var result = report
    result.rejections = [:]
    for (statistic, value) in report.estimates {
      let interval = report.intervals[statistic]
      if case .surface(let parameter) = statistic,
        let rejection = rules.check(
          parameter, of: report.surface, smallestLoss: smallestLoss, interval: interval)
      {
        result.rejections[statistic] = rejection
      } else if let rejection = rules.check(value: value, interval: interval) {
        result.rejections[statistic] = rejection
      }
    }
    for parameter in [SurfaceParameter.a, .b] where result.rejections[.surface(parameter)] != nil {
      for q in ComputeQuantity.allCases where result.rejections[.compute(.parametric, q)] == nil {
        result.rejections[.compute(.parametric, q)] = .dependsOn(.surface(parameter))
      }
    }
    return result
  }

  /// Refuses inputs no surface can be fitted to: fewer than 5 runs, or a
  /// size, data or loss column with a single value.
  public static func validate(_ runs: ExternalRuns) throws {
    guard runs.count >= 5 else {
      throw FrontierError.tooFewPoints(context: "table", needed: 5, got: runs.count)
    }
    for (name, values) in [("size", runs.size), ("data", runs.data), ("loss", runs.loss)] {
      if let lo = values.min(), let hi = values.max(), !(hi > lo) {
        throw FrontierError.invalidValue(
          context: "table: \(name) column", value: lo,
          expected: "at least two distinct values (it is constant)")
      }
    }
  }

  /// Tables larger than this are searched (grid of starts) and bootstrapped
  /// on an evenly strided subsample of this many runs; the best optimum is
  /// then refined on every run.
  public static let sampleLimit = 1_000

  /// Point estimate only (full grid search; on a large table, the grid on
  /// a subsample of `sampleLimit` runs, then a refit on all of them).
  public static func pointEstimate(_ runs: ExternalRuns, options: ParametricFitOptions) throws
    -> ExternalFitReport
  {
    try validate(runs)
    let points = runs.surfacePoints
    let fitter = ParametricSurfaceFitter(options: options)
    var fit: ParametricFitResult
    if runs.count > sampleLimit {
      let sampled = try fitter.fit(runs.strided(maximum: sampleLimit).surfacePoints)
      var refine = options
      refine.bootstrapStarts = 1
      let best = try ParametricSurfaceFitter(options: refine).fit(
        points, starts: [sampled.best.theta])
      fit = sampled
      fit.best = best.best
      fit.localOptima = [best.best] + sampled.localOptima
    } else {
      fit = try fitter.fit(points)
    }
    let report = ExternalFitReport(
      surface: fit.best, fit: fit, estimates: statistics(fit.best), intervals: [:],
      pointCount: points.count,
      warnings: runs.warnings
        + (runs.count > sampleLimit
          ? [
            "\(runs.count) runs: the grid of starts and the bootstrap use every \((runs.count + sampleLimit - 1) / sampleLimit)-th run (\(sampleLimit) at most; intervals are those of that subsample, wider than the whole table's)"
          ] : []),
      smallestLoss: runs.loss.min() ?? .nan)
    return judge(report, smallestLoss: report.smallestLoss, rules: ReportingRules())
  }

  /// Replicates `range` of the bootstrap (rows resampled with replacement),
  /// warm-started from `pointEstimate`. Each replicate depends only on
  /// `(bootstrap.baseSeed, index)`.
  public static func bootstrapReplicates(
    _ runs: ExternalRuns, pointEstimate: ExternalFitReport, options: ParametricFitOptions,
    bootstrap: BootstrapOptions, range: Range<Int>
  ) throws -> [BootstrapReplicate] {
    try Bootstrap.validate(range: range, total: bootstrap.replicates)
    let points = runs.strided(maximum: sampleLimit).surfacePoints
    let fitter = ParametricSurfaceFitter(options: options)
    return range.compactMap { index in
      let multiplicities = Bootstrap.clusterMultiplicities(
        clusterCount: points.clusterCount, baseSeed: bootstrap.baseSeed, index: index)
      let weights = Bootstrap.pointWeights(cluster: points.cluster, multiplicities: multiplicities)
      guard let surface = try? fitter.refit(points, weights: weights, reference: pointEstimate.fit)
      else { return nil }
      return BootstrapReplicate(slice: slice, index: index, statistics: statistics(surface))
    }
  }

  /// Attaches intervals computed from replicates (from any number of ranges).
  public static func combine(
    _ report: ExternalFitReport, replicates: [BootstrapReplicate], bootstrap: BootstrapOptions
  ) -> ExternalFitReport {
    var result = report
    result.intervals = Bootstrap.intervals(
      estimates: report.estimates, replicates: replicates.filter { $0.slice == slice },
      level: bootstrap.confidenceLevel)
    return judge(result, smallestLoss: report.smallestLoss, rules: ReportingRules())
  }

  /// Point estimate plus the whole bootstrap in this process.
  public static func fit(
    _ runs: ExternalRuns, options: ParametricFitOptions = ParametricFitOptions(),
    bootstrap: BootstrapOptions = BootstrapOptions()
  ) throws -> ExternalFitReport {
    let estimate = try pointEstimate(runs, options: options)
    guard bootstrap.replicates > 0 else { return estimate }
    let replicates = try bootstrapReplicates(
      runs, pointEstimate: estimate, options: options, bootstrap: bootstrap,
      range: 0..<bootstrap.replicates)
    return combine(estimate, replicates: replicates, bootstrap: bootstrap)
  }
}
