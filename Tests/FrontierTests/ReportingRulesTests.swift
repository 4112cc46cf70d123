import Foundation
import Frontier
import Testing

/// Every degenerate case of docs/frontier.md "When a number is not shown":
/// each is a `Rejection`, rendered as `-` with its reason, never a number.
@Suite struct ReportingRulesTests {
  let rules = ReportingRules()

  func fit(_ x: [Double], _ y: [Double]) throws -> PowerLawFit { try PowerLawFit.fit(x: x, y: y) }

  @Test func fewerThanFivePoints() throws {
    // The issue's time fit over the window [2, 3] with 2 points.
    #expect(rules.check(try fit([2, 3], [0.5, 0.4])) == .tooFewPoints(got: 2, needed: 5))
  }

  @Test func lessThanADecade() throws {
    let x: [Double] = [10, 12, 14, 16, 18, 20]
    let r = rules.check(try fit(x, x.map { 1 / $0 }))
    guard case .shortRange(let decades, 1) = r else {
      Issue.record("\(String(describing: r))")
      return
    }
    #expect(abs(decades - log10(2)) < 1e-9)
  }

  @Test func rSquaredBelowThreshold() throws {
    let x: [Double] = [1, 3, 10, 30, 100, 300]
    let y: [Double] = [1, 0.2, 0.6, 0.1, 0.3, 0.05]
    let f = try fit(x, y)
    #expect(rules.check(f) == .poorFit(rSquared: f.rSquared, needed: 0.98))
    // A window the user fixed is not held to the R^2 of the automatic search.
    #expect(rules.check(f, fixedWindow: true) == nil)
  }

  @Test func constantInput() throws {
    let x: [Double] = [1, 10, 100, 1000, 10000]
    #expect(rules.check(try fit(x, [0.3, 0.3, 0.3, 0.3, 0.3])) == .constantInput)
  }

  @Test func intervalEdgeFlatAndNegligible() {
    func ci(_ lo: Double, _ hi: Double) -> ConfidenceInterval {
      ConfidenceInterval(estimate: 0, lower: lo, upper: hi, standardError: 0.01, replicates: 100)
    }
    // The issue's `-0.3433 [-0.3433, -0.2972]`.
    #expect(rules.check(value: -0.3433, interval: ci(-0.3433, -0.2972)) == .onIntervalEdge)
    #expect(rules.check(value: 1, interval: ci(1, 1)) == .flatInterval)
    #expect(rules.check(value: 5.039e-31, interval: nil) == .negligible)
    #expect(rules.check(value: -0.4, interval: ci(-0.45, -0.35)) == nil)
  }

  @Test func surfaceParametersAtTheirBounds() {
    // `E 3.378e-279`, and `A 23.53 [1.934, 4.669e+04]`.
    let surface = ParametricSurface(theta: [log(23.53), 0.5, log(2), 0.4, -642], objective: 0)
    #expect(
      rules.check(.E, of: surface, smallestLoss: 0.03, interval: nil)
        == .surfaceAtBound("E -> 0: no loss floor resolved"))
    let wide = ConfidenceInterval(
      estimate: 23.53, lower: 1.934, upper: 4.669e4, standardError: 1, replicates: 100)
    guard case .wideInterval = rules.check(.A, of: surface, smallestLoss: 0.03, interval: wide)
    else {
      Issue.record("A with a 4-decade interval was not rejected")
      return
    }
    let runaway = ParametricSurface(theta: [60, 0, log(2), 0.4, -1], objective: 0)
    #expect(
      rules.check(.a, of: runaway, smallestLoss: 0.03, interval: nil)
        == .surfaceAtBound("a = 0 at its bound"))
  }

  /// One width is best at every compute: N*(C) is undefined, so the
  /// envelope's N* and t* are "-" with the width named; the text shows it.
  @Test func envelopeWithOneOptimalWidth() throws {
    var curves: [LossCurve] = []
    let steps = (0...32).map { pow(10, Double($0) / 8) }
    for (width, offset) in [(32.0, 2.0), (64.0, 1.0), (128.0, 3.0)] {
      curves.append(
        LossCurve(
          width: width, gamma: 0, task: "t", seed: 0, flopsPerStep: 1, steps: steps,
          loss: steps.map { offset * pow($0, -0.5) }))
    }
    var options = SyntheticRecoveryTests.fastOptions()
    options.computeMeasure = .flops
    let report = try ComputeOptimalFrontier.pointEstimates(curves, options: options)
    let slice = try #require(report.slices.first)
    #expect(slice.reported(.compute(.envelope, .width)) == .rejected(.fewOptimalWidths([64])))
    #expect(slice.reported(.compute(.envelope, .time)) == .rejected(.fewOptimalWidths([64])))
    let text = FrontierText.render(report, details: true)
    #expect(text.contains("N=64 is optimal at every compute"), "\(text)")
    #expect(!text.contains("e-31") && !text.contains("e+37"))
    let json = FrontierJSON.render(report)
    #expect(json.contains("\"rejected\" : \"N=64 is optimal at every compute\""))
  }

  /// A slice whose IsoFLOP keeps 2 profiles: R^2 = 1 from two points is "-".
  @Test func isoFLOPFromTwoProfilesIsNotShown() throws {
    let parabola = PowerLawFit(
      exponent: 0.4, prefactor: 1, windowLower: 1e3, windowUpper: 1e5, rSquared: 1,
      pointCount: 2, logYRange: 1)
    #expect(rules.check(parabola) == .tooFewPoints(got: 2, needed: 5))
  }

  /// Two slices whose data sizes print alike under %g get distinct identities
  /// (and so distinct bootstrap seeds and replicate pools).
  @Test func sliceIdentityIsExact() {
    let a = SliceKey(gamma: 0, task: "t", data: 1_234_567)
    let b = SliceKey(gamma: 0, task: "t", data: 1_234_568)
    #expect(a.description == b.description)
    #expect(a.identifier != b.identifier)
  }
}
