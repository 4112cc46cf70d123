import Foundation
import Frontier
import Testing

@Suite struct BootstrapTests {
  /// Synthetic table runs from a Chinchilla-like surface with 1 % log noise.
  static func runs(draw: UInt64) -> ExternalRuns {
    var generator = SplitMix64(baseSeed: 99, stream: draw)
    func gaussian() -> Double {
      let u1 = (Double(generator.next() >> 11) + 0.5) / 9_007_199_254_740_992
      let u2 = Double(generator.next() >> 11) / 9_007_199_254_740_992
      return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    var runs = ExternalRuns(size: [], data: [], compute: [], loss: [])
    for i in 0..<7 {
      for j in 0..<7 {
        let n = 1e7 * pow(10, Double(i) / 2)
        let d = 1e9 * pow(10, Double(j) / 2)
        runs.size.append(n)
        runs.data.append(d)
        runs.compute.append(6 * n * d)
        runs.loss.append(
          (1.7 + 400 * pow(n, -0.34) + 2000 * pow(d, -0.37)) * exp(0.01 * gaussian()))
      }
    }
    return runs
  }

  static var options: ParametricFitOptions {
    var o = ParametricFitOptions()
    o.grid = StartGrid(
      sizeExponents: [0.3, 0.6], lengthExponents: [0.3, 0.6], logE: [0, 0.5], logA: [5, 8],
      logB: [5, 8])
    return o
  }

  /// 95 % percentile intervals cover the true a, b, E in most of 30 draws
  /// (nominal 95 %; 80 % is the floor allowed for 30 draws of 40 replicates).
  @Test func intervalsCoverTruthAtRoughlyNominalRate() throws {
    var covered: [Statistic: Int] = [.surface(.a): 0, .surface(.b): 0, .surface(.E): 0]
    let truth: [Statistic: Double] = [.surface(.a): 0.34, .surface(.b): 0.37, .surface(.E): 1.7]
    let draws = 30
    for draw in 0..<draws {
      let report = try ExternalFrontier.fit(
        Self.runs(draw: UInt64(draw)), options: Self.options,
        bootstrap: BootstrapOptions(replicates: 40, baseSeed: UInt64(1000 + draw)))
      for (key, value) in truth where report.intervals[key]!.contains(value) { covered[key]! += 1 }
    }
    for (key, count) in covered {
      #expect(Double(count) / Double(draws) >= 0.8, "\(key) covered \(count)/\(draws)")
    }
  }

  /// Replicate r depends only on (baseSeed, r): any split gives the same report.
  @Test func curveBootstrapSplitsAcrossRanksIdentically() throws {
    var options = SyntheticRecoveryTests.fastOptions()
    options.bootstrap.replicates = 12
    let curves = SyntheticSweep(E: 0.05, noise: 0.02).curves(seed: 11)
    let analysis = try ComputeOptimalFrontier.prepare(curves, options: options)
    let all = try analysis.bootstrapReplicates(range: 0..<12)
    let parts = try [0..<5, 5..<6, 6..<12].flatMap { try analysis.bootstrapReplicates(range: $0) }
    #expect(all == parts)
    let combined = analysis.combined(replicates: parts.reversed())
    let direct = analysis.combined(replicates: all)
    #expect(combined == direct)
    let slice = try #require(combined.slices.first)
    #expect(
      slice.intervals[.surface(.a)] != nil && slice.intervals[.compute(.envelope, .loss)] != nil)
    #expect(throws: FrontierError.self) { try analysis.bootstrapReplicates(range: 10..<13) }
  }

  @Test func clusterMultiplicitiesSumToClusterCount() {
    for r in 0..<20 {
      let m = Bootstrap.clusterMultiplicities(clusterCount: 7, baseSeed: 5, index: r)
      #expect(m.reduce(0, +) == 7)
      #expect(m == Bootstrap.clusterMultiplicities(clusterCount: 7, baseSeed: 5, index: r))
    }
  }

  /// Ranks send their replicates to rank 0 as bytes; a degenerate resample
  /// (inf or NaN statistic) must not break the gather.
  @Test func replicatesWithNonFiniteStatisticsSurviveTheWire() throws {
    let replicates = [
      BootstrapReplicate(
        slice: "s", index: 3,
        statistics: [
          .surface(.A): .infinity, .surface(.a): -.infinity, .surface(.b): .nan,
          .timeAtWidth(1_234_567): 0.25,
        ])
    ]
    let back = try BootstrapReplicate.decode(try BootstrapReplicate.encode(replicates))
    #expect(back.count == 1 && back[0].slice == "s" && back[0].index == 3)
    #expect(back[0].statistics[.surface(.A)] == .infinity)
    #expect(back[0].statistics[.surface(.a)] == -.infinity)
    #expect(back[0].statistics[.surface(.b)]?.isNaN == true)
    #expect(back[0].statistics[.timeAtWidth(1_234_567)] == 0.25)
  }

  @Test func quantilesInterpolate() {
    #expect(Bootstrap.quantile([1, 2, 3, 4, 5], 0.5) == 3)
    #expect(Bootstrap.quantile([1, 2, 3, 4, 5], 0.125) == 1.5)
  }
}
