import Foundation
import Frontier
import Testing

/// Every approach recovers known exponents of `L = E + A N^-a + B t^-b`.
/// With a = 1, b = 0.5, C = 6 N t: N* ~ C^(1/3), t* ~ C^(2/3), L* - E ~ C^(-1/3).
@Suite struct SyntheticRecoveryTests {
  static func fastOptions() -> FrontierOptions {
    var options = FrontierOptions()
    options.parametric.grid = StartGrid(
      sizeExponents: [0.5, 1], lengthExponents: [0.5, 1], logE: [-3, -1], logA: [0, 5],
      logB: [0, 5])
    options.bootstrap.replicates = 0
    return options
  }

  @Test func parametricRecoversSurface() throws {
    let sweep = SyntheticSweep(E: 0.05, noise: 0.005)
    let report = try ComputeOptimalFrontier.pointEstimates(
      sweep.curves(seed: 1), options: Self.fastOptions())
    let p = try #require(report.slices.first?.parametric)
    #expect(abs(p.a - 1) < 0.03, "a \(p.a)")
    #expect(abs(p.b - 0.5) < 0.02, "b \(p.b)")
    #expect(abs(p.E - 0.05) < 0.003, "E \(p.E)")
    #expect(abs(p.sizeAllocationExponent() - 1.0 / 3) < 0.01)
  }

  @Test func envelopeAndIsoFLOPRecoverAllocation() throws {
    let sweep = SyntheticSweep(E: 0, noise: 0.005)
    let report = try ComputeOptimalFrontier.pointEstimates(
      sweep.curves(seed: 2), options: Self.fastOptions())
    let slice = try #require(report.slices.first)
    #expect(abs(slice.computeWidthPower - 1) < 1e-9)
    let envelope = try #require(slice.envelope)
    #expect(abs(envelope.loss.exponent + 1.0 / 3) < 0.03, "envelope L* \(envelope.loss.exponent)")
    #expect(abs(envelope.width.exponent - 1.0 / 3) < 0.05, "envelope N* \(envelope.width.exponent)")
    #expect(abs(envelope.time.exponent - 2.0 / 3) < 0.05, "envelope t* \(envelope.time.exponent)")
    let iso = try #require(slice.isoFLOP)
    #expect(abs(iso.width.exponent - 1.0 / 3) < 0.05, "isoFLOP N* \(iso.width.exponent)")
    #expect(abs(iso.time.exponent - 2.0 / 3) < 0.05, "isoFLOP t* \(iso.time.exponent)")
    #expect(abs(iso.loss.exponent + 1.0 / 3) < 0.03, "isoFLOP L* \(iso.loss.exponent)")
  }

  /// FLOPs per step growing as N^2 (an MLP's hidden layers): C = 6 N^2 t,
  /// so N* ~ C^(b/(a+2b)) = C^0.25, t* ~ C^0.5, L* ~ C^-0.25.
  @Test func flopsCountedComputeUsesTheWidthPower() throws {
    let curves = SyntheticSweep(E: 0, noise: 0.005).curves(seed: 5).map { curve -> LossCurve in
      var c = curve
      c.flopsPerStep = 6 * c.width * c.width
      return c
    }
    let report = try ComputeOptimalFrontier.pointEstimates(curves, options: Self.fastOptions())
    let slice = try #require(report.slices.first)
    #expect(abs(slice.computeWidthPower - 2) < 1e-9)
    #expect(abs(slice.estimates[.compute(.parametric, .width)]! - 0.25) < 0.01)
    #expect(abs(slice.estimates[.compute(.envelope, .width)]! - 0.25) < 0.04)
    #expect(abs(slice.estimates[.compute(.envelope, .loss)]! + 0.25) < 0.03)
    // Local parabolas (isoFLOPHalfWindow = 2); with all widths the vertex
    // bias gives about 0.43 here (docs/frontier.md).
    #expect(abs(slice.estimates[.compute(.isoflop, .time)]! - 0.5) < 0.04, "\(slice.estimates)")
    #expect(abs(slice.estimates[.compute(.isoflop, .width)]! - 0.25) < 0.03)
  }

  @Test func perAxisFitsRecoverExponents() throws {
    let sweep = SyntheticSweep(E: 0, noise: 0.005)
    let report = try ComputeOptimalFrontier.pointEstimates(
      sweep.curves(seed: 3), options: Self.fastOptions())
    let slice = try #require(report.slices.first)
    // The widest net has the lowest plateau: its window sees t^-0.5.
    let widest = try #require(slice.timeFits.last)
    #expect(abs(widest.fit.exponent + 0.5) < 0.03, "time \(widest.fit.exponent)")
    #expect(widest.fit.windowUpper / widest.fit.windowLower >= 10)
    // At t = 1e6, B t^-b = 0.002 is small against A N^-a down to N = 512.
    let width = try #require(slice.widthFit)
    #expect(width.exponent < -0.6, "width \(width.exponent)")
  }

  @Test func nonFiniteLossesAreSkippedWithWarning() throws {
    var curves = SyntheticSweep(E: 0.05).curves(seed: 4)
    curves[0].loss[5] = .nan
    curves[1].loss[7] = .infinity
    let report = try ComputeOptimalFrontier.pointEstimates(curves, options: Self.fastOptions())
    #expect(report.warnings.filter { $0.contains("NaN/inf") }.count == 2)
    #expect(report.slices.first?.parametric != nil)
  }

  /// L vs P across data slices: an extra `100 P^-0.8` term dominates at
  /// the largest width and longest time; the interval comes from the bootstrap.
  @Test func dataAxisFitAcrossSlices() throws {
    var curves: [LossCurve] = []
    for p in [1e3, 1e4, 1e5] {
      for var c in SyntheticSweep(E: 0, noise: 0.005, seeds: 2).curves(seed: UInt64(p)) {
        c.data = p
        c.loss = c.loss.map { $0 + 100 * pow(p, -0.8) }
        curves.append(c)
      }
    }
    var options = Self.fastOptions()
    options.bootstrap.replicates = 8
    let report = try ComputeOptimalFrontier.analyze(curves, options: options)
    #expect(report.slices.count == 3)
    let data = try #require(report.dataFits.first)
    #expect(abs(data.fit.exponent + 0.8) < 0.08, "\(data.fit.exponent)")
    #expect(data.width == 8192)
    #expect(data.interval != nil)
  }
}
