import Foundation
import Frontier
import Testing

/// The three ways a width's seeds become one curve (`frontier --seed-average`),
/// and that the choice reaches the fits.
@Suite struct SeedAggregationTests {
  /// Two smooth seeds and one that spikes at the third record.
  static let losses: [[Double]] = [
    [1, 0.1, 0.01, 0.001], [1, 0.2, 0.02, 0.002], [1, 0.1, 1.0, 0.004],
  ]

  func combined(_ aggregation: SeedAggregation, weights: [Double] = [1, 1, 1]) -> [Double] {
    let prepared = Self.losses.map { aggregation.prepared($0) }
    return (0..<4).map { t in
      exp(aggregation.combinedLog(zip(prepared, weights).map { (log($0.0[t]), $0.1) }))
    }
  }

  @Test func geometricMeanMedianAndRunningMinimum() {
    let gm = combined(.geometricMean)
    #expect(abs(gm[2] - pow(0.01 * 0.02 * 1.0, 1.0 / 3)) < 1e-12)
    let median = combined(.median)
    #expect(abs(median[1] - 0.1) < 1e-12)
    #expect(abs(median[2] - 0.02) < 1e-12)
    #expect(abs(median[3] - 0.002) < 1e-12)
    // Seed 2's best so far at the third record is 0.1 (from the second), not the spike.
    let best = combined(.runningMinimum)
    #expect(abs(best[2] - pow(0.01 * 0.02 * 0.1, 1.0 / 3)) < 1e-12)
    #expect(zip(best, best.dropFirst()).allSatisfy { $0.1 <= $0.0 })
  }

  /// Bootstrap multiplicities weight the median: seed 2 counted three times wins;
  /// two equal halves give the geometric midpoint of the middle values.
  @Test func weightedMedianFollowsMultiplicities() {
    #expect(abs(combined(.median, weights: [1, 0, 3])[2] - 1.0) < 1e-12)
    #expect(abs(combined(.median, weights: [1, 1, 0])[2] - (0.01 * 0.02).squareRoot()) < 1e-12)
  }

  /// A spiking seed bends the geometric-mean time fit; the running minimum
  /// recovers the smooth seeds' exponent.
  @Test func runningMinimumIgnoresASpikeInTheTimeFit() throws {
    let steps = (0...20).map { pow(10, 1 + 3 * Double($0) / 20) }
    func curves(spike: Bool) -> [LossCurve] {
      (0..<4).map { seed in
        var loss = steps.map { pow($0, -0.5) }
        if spike && seed == 3 { loss[18] *= 20 }  // one spike near the end
        return LossCurve(
          width: 64, gamma: 1, task: "hard", seed: seed, flopsPerStep: 1, steps: steps,
          loss: loss)
      }
    }
    func slope(_ aggregation: SeedAggregation, spike: Bool = true) throws -> Double {
      let curves = curves(spike: spike)
      var options = FrontierOptions()
      options.bootstrap.replicates = 0
      options.timeWindow = options.timeWindow.fixed(to: 10...10_000)
      options.seedAggregation = aggregation
      let report = try ComputeOptimalFrontier.pointEstimates(curves, options: options)
      return try #require(report.slices.first?.timeFits.first?.fit.exponent)
    }
    // The window search's own fit of the clean curves (not exactly -0.5).
    let clean = try slope(.geometricMean, spike: false)
    let best = try slope(.runningMinimum)
    // The spiked seed holds its previous best for one record: -0.4987.
    #expect(abs(best - clean) < 0.002, "running minimum \(best), clean \(clean)")
    let spiked = try slope(.geometricMean)
    #expect(abs(spiked - clean) > 5 * abs(best - clean), "geometric mean \(spiked), clean \(clean)")
  }
}
