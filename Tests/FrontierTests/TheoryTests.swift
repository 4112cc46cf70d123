import Foundation
import Frontier
import Testing

/// Worked numbers of science.md and identities of the formulas.
@Suite struct TheoryTests {
  func near(_ x: Double, _ y: Double, _ tol: Double = 5e-4) -> Bool { abs(x - y) < tol }

  @Test func workedNumbersAlpha2Beta05() throws {
    let lazy = try ScalingTheory(alpha: 2, beta: 0.5, regime: .lazy).computeOptimal()
    #expect(near(lazy.loss, 0.333) && near(lazy.width, 0.333) && near(lazy.time, 0.667))
    let rich = try ScalingTheory(alpha: 2, beta: 0.5, regime: .rich).computeOptimal()
    #expect(near(rich.loss, 0.400) && near(rich.width, 0.400) && near(rich.time, 0.600))
    #expect(near(try ScalingTheory(alpha: 2, beta: 0.5, regime: .lazy).timeExponent, 0.5))
    #expect(near(try ScalingTheory(alpha: 2, beta: 0.5, regime: .rich).timeExponent, 0.667))
  }

  /// Model 1 is lazy only at gamma = 0; the MLP's small gamma0 counts as lazy.
  @Test func regimeFromRichness() {
    #expect(TrainingRegime(gamma: 0) == .lazy)
    #expect(TrainingRegime(gamma: 0.01) == .rich)
    #expect(TrainingRegime(gamma: 0.01, lazyAtMost: 0.05) == .lazy)
    #expect(TrainingRegime(gamma: 0.05, lazyAtMost: 0.05) == .lazy)
    #expect(TrainingRegime(gamma: 1, lazyAtMost: 0.05) == .rich)
  }

  @Test func chiValues() {
    #expect(near(ScalingTheory.chi(beta: 0.25, regime: .lazy), 0.25))
    #expect(near(ScalingTheory.chi(beta: 0.25, regime: .rich), 0.40))
    #expect(near(ScalingTheory.chi(beta: 0.75, regime: .lazy), 0.75))
    #expect(near(ScalingTheory.chi(beta: 0.75, regime: .rich), 0.857))
    // Easy tasks: rich = lazy.
    #expect(ScalingTheory.chi(beta: 1.25, regime: .rich) == 1.25)
  }

  @Test func closedFormsOfThePaper() throws {
    for alpha in [1.5, 2.0, 3.0] {
      for beta in [0.2, 0.5, 0.9] {
        let lazy = try ScalingTheory(alpha: alpha, beta: beta, regime: .lazy).computeOptimal()
        #expect(near(lazy.width, 1 / (1 + alpha), 1e-12))
        #expect(near(lazy.time, alpha / (1 + alpha), 1e-12))
        #expect(near(lazy.loss, alpha * beta / (1 + alpha), 1e-12))
        let rich = try ScalingTheory(alpha: alpha, beta: beta, regime: .rich).computeOptimal()
        #expect(near(rich.loss, 2 * alpha * beta / (alpha * (1 + beta) + 2), 1e-12))
        #expect(near(rich.width + rich.time, 1, 1e-12))  // C = N t
      }
    }
  }

  /// The allocation formula against a brute-force minimisation of
  /// `N^-w + t^-chi` on the constraint `N^p t = C` at two budgets.
  @Test func allocationMatchesBruteForce() throws {
    let theory = try ScalingTheory(alpha: 2, beta: 0.5, regime: .rich)
    let p = 2.0
    func optimum(_ logC: Double) -> (Double, Double) {
      var best = (Double.infinity, 0.0)
      for k in 0...200_000 {
        let logN = Double(k) * logC / Double(p) / 200_000
        let logT = logC - p * logN
        let loss = exp(-theory.widthExponent * logN) + exp(-theory.timeExponent * logT)
        if loss < best.0 { best = (loss, logN) }
      }
      return best
    }
    let (l1, n1) = optimum(40)
    let (l2, n2) = optimum(60)
    let predicted = theory.computeOptimal(computeWidthPower: p)
    #expect(near((n2 - n1) / 20, predicted.width, 1e-3))
    #expect(near(-(log(l2) - log(l1)) / 20, predicted.loss, 1e-3))
  }

  @Test func taskClasses() throws {
    #expect(TaskClass(alpha: 2, beta: 0.5) == .hard)
    #expect(TaskClass(alpha: 2, beta: 1.25) == .easy)
    #expect(TaskClass(alpha: 2, beta: 2) == .superEasy)
    #expect(throws: FrontierError.self) { try ScalingTheory(alpha: 0.5, beta: 1, regime: .lazy) }
    #expect(try ScalingTheory(alpha: 2, beta: 1.25, regime: .rich).widthExponent == 2)
  }
}
