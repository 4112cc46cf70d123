import Foundation

/// The cleaned curves of one slice with their bootstrap clusters.
struct CurveSlice: Sendable {
  var key: SliceKey
  var curves: [LossCurve]
  var cluster: [Int]
  var clusterCount: Int
  var computeMeasure: ComputeMeasure
  var warnings: [String]

  /// Groups curves into slices; drops non-finite/non-positive records (with
  /// a warning per slice) and non-positive steps (log scale).
  static func slices(
    _ curves: [LossCurve], measure: ComputeMeasure, resampling: ResamplingUnit
  ) -> [CurveSlice] {
    var groups: [SliceKey: [LossCurve]] = [:]
    for curve in curves {
      groups[SliceKey(gamma: curve.gamma, task: curve.task, data: curve.data), default: []].append(
        curve)
    }
    return groups.keys.sorted().map { key in
      var warnings: [String] = []
      var cleaned: [LossCurve] = []
      for curve in groups[key]! {
        var c = curve
        if let floor = c.lossFloor, !(floor.isFinite && floor > 0) { c.lossFloor = nil }
        c.steps = []
        c.loss = []
        var bad = 0
        for i in curve.loss.indices where i < curve.steps.count && curve.steps[i] > 0 {
          if curve.loss[i].isFinite && curve.loss[i] > 0 {
            c.steps.append(curve.steps[i])
            c.loss.append(curve.loss[i])
          } else {
            bad += 1
          }
        }
        if bad > 0 {
          warnings.append(
            "N=\(String(format: "%g", curve.width)) seed \(curve.seed): skipped \(bad) NaN/inf/non-positive loss records"
          )
        }
        if !(curve.flopsPerStep.isFinite && curve.flopsPerStep > 0) && measure == .flops {
          warnings.append(
            "N=\(String(format: "%g", curve.width)) seed \(curve.seed): flopsPerStep \(curve.flopsPerStep) invalid, curve skipped"
          )
          continue
        }
        if c.steps.count >= 2 {
          cleaned.append(c)
        } else {
          warnings.append(
            "N=\(String(format: "%g", curve.width)) seed \(curve.seed): fewer than 2 usable records, curve skipped"
          )
        }
      }
      let seeds = Array(Set(cleaned.map(\.seed))).sorted()
      let cluster: [Int]
      if resampling == .seedClusters && seeds.count > 1 {
        cluster = cleaned.map { seeds.firstIndex(of: $0.seed)! }
      } else {
        cluster = Array(cleaned.indices)
      }
      return CurveSlice(
        key: key, curves: cleaned, cluster: cluster, clusterCount: (cluster.max() ?? -1) + 1,
        computeMeasure: measure, warnings: warnings)
    }
  }

  var widths: [Double] { Array(Set(curves.map(\.width))).sorted() }
  var seeds: [Int] { Array(Set(curves.map(\.seed))).sorted() }

  /// Final loss of each width: every run's last record at the width's
  /// longest budget (runs with shorter budgets are not mixed in), averaged
  /// arithmetically over seeds.
  var finalLosses: [FinalLoss] {
    widths.compactMap { width in
      let runs = curves.filter { $0.width == width && !$0.steps.isEmpty }
      guard let steps = runs.map({ $0.steps.last! }).max() else { return nil }
      let finals = runs.filter { $0.steps.last! == steps }.map { $0.loss.last! }
      let floors = runs.compactMap(\.lossFloor)
      return FinalLoss(
        width: width, steps: steps, mean: finals.reduce(0, +) / Double(finals.count),
        lowest: finals.min()!, highest: finals.max()!, seeds: finals.count,
        lossFloor: floors.count == runs.count && !floors.isEmpty
          ? Foundation.exp(floors.map { Foundation.log($0) }.reduce(0, +) / Double(floors.count))
          : nil)
    }
  }

  /// Lowest and highest loss over the seeds of `width` at each of `steps`
  /// (NaN where no run recorded it): the band drawn around a curve.
  func seedSpread(width: Double, at steps: [Double]) -> ([Double], [Double]) {
    let runs = curves.filter { $0.width == width }
    var low = [Double](repeating: .nan, count: steps.count)
    var high = [Double](repeating: .nan, count: steps.count)
    for run in runs {
      var index: [Double: Double] = [:]
      for (t, l) in zip(run.steps, run.loss) { index[t] = l }
      for (i, t) in steps.enumerated() {
        guard let l = index[t] else { continue }
        low[i] = low[i].isNaN ? l : min(low[i], l)
        high[i] = high[i].isNaN ? l : max(high[i], l)
      }
    }
    return (low, high)
  }

  /// Seed-averaged curves per width, using curve weights (multiplicities),
  /// combined over seeds by `aggregation`.
  func widthCurves(curveWeights: [Double], aggregation: SeedAggregation = .geometricMean)
    -> [WidthCurve]
  {
    var byWidth: [Double: [Int]] = [:]
    for i in curves.indices where curveWeights[i] > 0 {
      byWidth[curves[i].width, default: []].append(i)
    }
    return byWidth.keys.sorted().map { width in
      let members = byWidth[width]!
      var logs: [Double: [(log: Double, weight: Double)]] = [:]
      var flops = 0.0
      var totalWeight = 0.0
      for i in members {
        let w = curveWeights[i]
        flops += w * curves[i].flopsPerStep
        totalWeight += w
        for (t, l) in zip(curves[i].steps, aggregation.prepared(curves[i].loss)) {
          logs[t, default: []].append((Foundation.log(l), w))
        }
      }
      let steps = logs.keys.sorted()
      let loss = steps.map { Foundation.exp(aggregation.combinedLog(logs[$0]!)) }
      let perStep = computeMeasure == .nt ? width : flops / totalWeight
      // Floor: weighted geometric mean over seeds, only if every member has one.
      var floor: Double? = nil
      if members.allSatisfy({ curves[$0].lossFloor != nil }) {
        let logSum = members.reduce(0.0) {
          $0 + curveWeights[$1] * Foundation.log(curves[$1].lossFloor!)
        }
        floor = Foundation.exp(logSum / totalWeight)
      }
      return WidthCurve(
        width: width, computePerStep: perStep, steps: steps, loss: loss, lossFloor: floor)
    }
  }
}
