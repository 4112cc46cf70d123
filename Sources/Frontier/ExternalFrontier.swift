import Foundation

/// Approach 3 with bootstrap on external runs (`N`, `D`, `L`), e.g. the
/// Chinchilla table: `L = E + A N^-a + B D^-b` and, with `C = 6 N D`,
/// `N* ~ C^(b/(a+b))`, `D* ~ C^(a/(a+b))`, `L* - E ~ C^-(ab/(a+b))`.
public struct ExternalFitReport: Sendable {
  public var surface: ParametricSurface
  public var fit: ParametricFitResult
  /// Keys `E, A, a, B, b, sizeAllocation, dataAllocation, lossDecay`.
  public var estimates: [String: Double]
  public var intervals: [String: ConfidenceInterval]
  public var pointCount: Int
  public var warnings: [String]
}

public enum ExternalFrontier {
  static let slice = "external"

  /// Named statistics of a surface (the bootstrap tracks all of them).
  public static func statistics(_ s: ParametricSurface) -> [String: Double] {
    [
      "E": s.E, "A": s.A, "a": s.a, "B": s.B, "b": s.b,
      "sizeAllocation": s.sizeAllocationExponent(), "dataAllocation": s.lengthAllocationExponent(),
      "lossDecay": s.lossDecayExponent(),
    ]
  }

  /// Point estimate only (full grid search).
  public static func pointEstimate(_ runs: ExternalRuns, options: ParametricFitOptions) throws
    -> ExternalFitReport
  {
    let points = runs.surfacePoints
    let fit = try ParametricSurfaceFitter(options: options).fit(points)
    return ExternalFitReport(
      surface: fit.best, fit: fit, estimates: statistics(fit.best), intervals: [:],
      pointCount: points.count, warnings: runs.warnings)
  }

  /// Replicates `range` of the bootstrap (rows resampled with replacement),
  /// warm-started from `pointEstimate`. Each replicate depends only on
  /// `(bootstrap.baseSeed, index)`.
  public static func bootstrapReplicates(
    _ runs: ExternalRuns, pointEstimate: ExternalFitReport, options: ParametricFitOptions,
    bootstrap: BootstrapOptions, range: Range<Int>
  ) throws -> [BootstrapReplicate] {
    try Bootstrap.validate(range: range, total: bootstrap.replicates)
    let points = runs.surfacePoints
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
    return result
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
