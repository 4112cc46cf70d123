import Foundation

/// One computation behind every output: the slices, their seed-averaged
/// curves, the point estimates and the parametric warm starts, built once by
/// `ComputeOptimalFrontier.prepare`. The bootstrap resamples these slices,
/// `combined` attaches intervals to this report, and the text, JSON, CSV and
/// SVG renderers all draw from the result.
///
/// For MPI: every rank prepares (deterministic), computes
/// `bootstrapReplicates(range:)` for its share, the replicates are gathered
/// (they are `Codable`) and `combined` attaches intervals and comparisons;
/// the result does not depend on how the range was split.
public struct FrontierAnalysis: Sendable {
  public var options: FrontierOptions
  var slices: [CurveSlice]
  var widthCurves: [[WidthCurve]]
  /// Full-data parametric fit of each slice (nil where it failed).
  var references: [ParametricFitResult?]
  /// Point estimates, judged by the reporting rules (no intervals).
  public var report: FrontierReport

  /// Seed-averaged curves of the slice `key` (for plots).
  func curves(of key: SliceKey) -> [WidthCurve] {
    slices.firstIndex { $0.key == key }.map { widthCurves[$0] } ?? []
  }

  /// The slice's individual runs (for seed bands).
  func runs(of key: SliceKey) -> CurveSlice? { slices.first { $0.key == key } }

  /// Bootstrap replicates `range` (of `options.bootstrap.replicates`) for
  /// every slice. Replicate `r` of a slice resamples its clusters with
  /// `SplitMix64(baseSeed: baseSeed ^ hash(slice identifier), stream: r)`.
  public func bootstrapReplicates(range: Range<Int>) throws -> [BootstrapReplicate] {
    try Bootstrap.validate(range: range, total: options.bootstrap.replicates)
    var replicates: [BootstrapReplicate] = []
    for index in range {
      var resampled: [(CurveSlice, [WidthCurve])] = []
      for (k, slice) in slices.enumerated() {
        let id = slice.key.identifier
        let seed = options.bootstrap.baseSeed ^ ComputeOptimalFrontier.stableHash(id)
        let multiplicities = Bootstrap.clusterMultiplicities(
          clusterCount: slice.clusterCount, baseSeed: seed, index: index)
        let weights = Bootstrap.pointWeights(cluster: slice.cluster, multiplicities: multiplicities)
        let widthCurves = slice.widthCurves(
          curveWeights: weights, aggregation: options.seedAggregation)
        resampled.append((slice, widthCurves))
        let estimates = SliceEstimates.estimate(
          widthCurves, options: options, reference: references[k])
        replicates.append(
          BootstrapReplicate(slice: id, index: index, statistics: estimates.statistics))
      }
      // L(P) across the data slices of each group, from the same resamples.
      for fit in PerAxisFits.dataFits(resampled, lazyGamma: options.lazyGamma) {
        replicates.append(
          BootstrapReplicate(slice: fit.id, index: index, statistics: [.data: fit.fit.exponent]))
      }
    }
    return replicates
  }

  /// The report with percentile intervals from `replicates` (gathered in
  /// any order or split), judged again by the reporting rules.
  public func combined(replicates: [BootstrapReplicate]) -> FrontierReport {
    var result = report
    var bySlice: [String: [BootstrapReplicate]] = [:]
    for r in replicates { bySlice[r.slice, default: []].append(r) }
    let level = options.bootstrap.confidenceLevel
    result.bootstrapReplicates = Set(replicates.map(\.index)).count
    result.confidenceLevel = level
    result.slices = report.slices.map { slice in
      var s = slice
      s.intervals = Bootstrap.intervals(
        estimates: slice.estimates, replicates: bySlice[slice.id] ?? [], level: level)
      return s
    }
    result.dataFits = report.dataFits.map { fit in
      var f = fit
      f.interval =
        Bootstrap.intervals(
          estimates: [.data: fit.fit.exponent], replicates: bySlice[fit.id] ?? [], level: level)[
          .data]
      return f
    }
    return ComputeOptimalFrontier.judge(result)
  }
}
