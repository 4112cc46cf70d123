import Foundation
import Frontier
import Testing

/// Approach 3 on the Chinchilla table against Epoch AI's published fit
/// (Besiroglu et al. 2024): E = 1.8172, A = 477.8, B = 2143,
/// alpha = 0.3473, beta = 0.3672; bootstrap SE alpha 0.015, beta 0.021, E 0.026.
@Suite struct ChinchillaReplicationTests {
  @Test func loaderBuildsTokensFromCompute() throws {
    let runs = try Fixture.chinchillaRuns()
    #expect(runs.count == 240)
    for i in runs.loss.indices {
      #expect(abs(runs.data[i] * 6 * runs.size[i] / runs.compute[i] - 1) < 1e-12)
    }
  }

  @Test func approachThreeReproducesEpochFit() throws {
    let report = try #require(ChinchillaFit.estimate)
    let s = report.surface
    #expect(report.fit.startsRun == 4500)
    #expect(abs(s.a - 0.3473) < 0.005)
    #expect(abs(s.b - 0.3672) < 0.005)
    #expect(abs(s.E - 1.8172) < 0.01)
    #expect(abs(s.A / 477.8 - 1) < 0.05)
    #expect(abs(s.B / 2143 - 1) < 0.05)
    #expect(abs(s.objective - 1.0183e-3) < 2e-6)
    #expect(abs(s.sizeAllocationExponent() - 0.513) < 0.005)
    // Same optimum as scipy's L-BFGS-B over the same grid (Fixtures/make_reference.py).
    let reference = try Fixture.json("lbfgs_reference.json")["chinchilla"] as! [String: Any]
    #expect(abs(s.objective / (reference["bestValue"] as! Double) - 1) < 1e-6)
    for (x, y) in zip(s.theta, reference["bestTheta"] as! [Double]) { #expect(abs(x - y) < 1e-4) }
  }

  /// A short bootstrap (120 replicates; the 1000/4000-replicate run is in
  /// `FrontierBenchmark`): standard errors within 30 % of Epoch's, with
  /// the sampling error of 120 replicates (about 6.5 %) inside that margin.
  @Test func bootstrapStandardErrorsMatchEpoch() throws {
    let runs = try #require(ChinchillaFit.runs)
    let options = ChinchillaFit.options
    let estimate = try #require(ChinchillaFit.estimate)
    let bootstrap = BootstrapOptions(replicates: 120)
    let first = try ExternalFrontier.bootstrapReplicates(
      runs, pointEstimate: estimate, options: options, bootstrap: bootstrap, range: 0..<60)
    let second = try ExternalFrontier.bootstrapReplicates(
      runs, pointEstimate: estimate, options: options, bootstrap: bootstrap, range: 60..<120)
    let report = ExternalFrontier.combine(
      estimate, replicates: second + first, bootstrap: bootstrap)
    let se = report.intervals.mapValues(\.standardError)
    #expect(abs(se[.surface(.a)]! / 0.015 - 1) < 0.3, "SE a \(se[.surface(.a)]!)")
    #expect(abs(se[.surface(.b)]! / 0.021 - 1) < 0.3, "SE b \(se[.surface(.b)]!)")
    #expect(abs(se[.surface(.E)]! / 0.026 - 1) < 0.3, "SE E \(se[.surface(.E)]!)")
    #expect(
      abs(se[.compute(.parametric, .width)]! / 0.020 - 1) < 0.3,
      "SE N* \(se[.compute(.parametric, .width)]!)")
    // Splitting the range across "ranks" changes nothing.
    let whole = try ExternalFrontier.bootstrapReplicates(
      runs, pointEstimate: estimate, options: options, bootstrap: bootstrap, range: 55..<65)
    #expect(whole == Array((first + second)[55..<65]))
  }
}
