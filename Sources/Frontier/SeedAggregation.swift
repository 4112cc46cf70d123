import Foundation

/// How the loss curves of one width's seeds become the one curve the fits see
/// (`frontier --seed-average`).
///
/// Rich MLP curves spike (one seed: 0.0078 -> 0.151 -> 0.0064 within a
/// decade), and a spike enters a geometric mean at full weight, which can
/// bend a log-log fit. The median ignores a minority of spiking seeds; the
/// running minimum reports what training has reached so far (the best loss
/// up to step `t`), a non-increasing curve that a spike cannot raise.
public enum SeedAggregation: String, Sendable, Codable, CaseIterable {
  /// `exp(sum_s w_s log L_s(t) / sum_s w_s)` (weights: bootstrap multiplicities).
  case geometricMean = "geometric-mean"
  /// The weighted median over seeds of `L_s(t)`.
  case median
  /// The geometric mean over seeds of `min_{t' <= t} L_s(t')`.
  case runningMinimum = "running-minimum"

  /// One seed's losses, in step order, as this aggregation reads them.
  public func prepared(_ loss: [Double]) -> [Double] {
    guard self == .runningMinimum else { return loss }
    var best = Double.infinity
    return loss.map {
      best = Swift.min(best, $0)
      return best
    }
  }

  /// The aggregated `log L` at one step from the seeds' `(log L, weight)` pairs.
  public func combinedLog(_ values: [(log: Double, weight: Double)]) -> Double {
    switch self {
    case .geometricMean, .runningMinimum:
      let total = values.reduce(0) { $0 + $1.weight }
      return values.reduce(0) { $0 + $1.weight * $1.log } / total
    case .median:
      return SeedAggregation.weightedMedian(values)
    }
  }

  /// The smallest value whose cumulative weight reaches half the total; the
  /// mean of the two middle values when the halfway point falls between them.
  static func weightedMedian(_ values: [(log: Double, weight: Double)]) -> Double {
    let sorted = values.filter { $0.weight > 0 }.sorted { $0.log < $1.log }
    let half = sorted.reduce(0) { $0 + $1.weight } / 2
    var cumulative = 0.0
    for (i, v) in sorted.enumerated() {
      cumulative += v.weight
      if abs(cumulative - half) <= 1e-12 * half, i + 1 < sorted.count {
        return (v.log + sorted[i + 1].log) / 2
      }
      if cumulative > half { return v.log }
    }
    return sorted.last?.log ?? .nan
  }
}
