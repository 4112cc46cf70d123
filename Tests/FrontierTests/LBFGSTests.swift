import Foundation
import Frontier
import Testing

/// L-BFGS against scipy's L-BFGS-B optima stored in Fixtures/lbfgs_reference.json
/// (generated once by Fixtures/make_reference.py).
@Suite struct LBFGSTests {
  @Test func rosenbrockMatchesScipy() throws {
    let reference = try Fixture.json("lbfgs_reference.json")["rosenbrock"] as! [[String: Any]]
    var options = LBFGSOptions()
    options.gradientTolerance = 1e-10
    options.functionTolerance = 0
    options.maxIterations = 5000
    for case_ in reference {
      let start = case_["start"] as! [Double]
      let expected = case_["x"] as! [Double]
      let result = LBFGS(options: options).minimize(
        RosenbrockObjective(dimension: start.count), from: start)
      #expect(result.value < 1e-14)
      for (x, y) in zip(result.x, expected) { #expect(abs(x - y) < 1e-6) }
    }
  }

  /// Objective and gradient at a fixed point equal scipy/numpy's.
  @Test func chinchillaObjectiveMatchesNumpy() throws {
    let reference = try Fixture.json("lbfgs_reference.json")["chinchilla"] as! [String: Any]
    let objective = ParametricSurfaceObjective(points: try Fixture.chinchillaRuns().surfacePoints)
    let theta = reference["probeTheta"] as! [Double]
    var gradient = [Double](repeating: 0, count: 5)
    let value = theta.withUnsafeBufferPointer { t in
      gradient.withUnsafeMutableBufferPointer { objective.valueAndGradient(at: t, gradient: $0) }
    }
    #expect(abs(value / (reference["probeValue"] as! Double) - 1) < 1e-10)
    for (g, r) in zip(gradient, reference["probeGradient"] as! [Double]) {
      #expect(abs(g - r) < 1e-10 * max(1, abs(r)))
    }
  }

  /// The gradient agrees with central finite differences (independent check).
  @Test func chinchillaGradientMatchesFiniteDifferences() throws {
    let objective = ParametricSurfaceObjective(points: try Fixture.chinchillaRuns().surfacePoints)
    let theta = [5.0, 0.3, 8.0, 0.4, 0.5]
    var gradient = [Double](repeating: 0, count: 5)
    _ = theta.withUnsafeBufferPointer { t in
      gradient.withUnsafeMutableBufferPointer { objective.valueAndGradient(at: t, gradient: $0) }
    }
    for k in 0..<5 {
      var plus = theta
      var minus = theta
      plus[k] += 1e-6
      minus[k] -= 1e-6
      let numeric = (objective.value(plus) - objective.value(minus)) / 2e-6
      #expect(abs(numeric - gradient[k]) < 1e-6 * max(1, abs(gradient[k])))
    }
  }

  /// From a start near the optimum (the probe point), one L-BFGS run
  /// reaches scipy's best optimum of the 4500-start grid. (From a far start,
  /// L-BFGS and L-BFGS-B may take different paths into different basins;
  /// the grid comparison is in ChinchillaReplicationTests.)
  @Test func chinchillaOptimumFromNearbyStart() throws {
    let reference = try Fixture.json("lbfgs_reference.json")["chinchilla"] as! [String: Any]
    let objective = ParametricSurfaceObjective(points: try Fixture.chinchillaRuns().surfacePoints)
    let result = LBFGS().minimize(objective, from: reference["probeTheta"] as! [Double])
    let best = reference["bestValue"] as! Double
    #expect(abs(result.value / best - 1) < 1e-6)
    for (x, y) in zip(result.x, reference["bestTheta"] as! [Double]) { #expect(abs(x - y) < 1e-4) }
  }

  /// The strong Wolfe line search: an accepted step satisfies both conditions.
  @Test func quadraticConvergesInFewIterations() {
    struct Quadratic: DifferentiableObjective {
      let dimension = 4
      func valueAndGradient(
        at x: UnsafeBufferPointer<Double>, gradient g: UnsafeMutableBufferPointer<Double>
      ) -> Double {
        var f = 0.0
        for i in 0..<4 {
          let c = Double(i + 1) * Double(i + 1)
          f += 0.5 * c * (x[i] - 1) * (x[i] - 1)
          g[i] = c * (x[i] - 1)
        }
        return f
      }
    }
    let result = LBFGS().minimize(Quadratic(), from: [10, -3, 5, 0])
    #expect(result.value < 1e-16)
    #expect(result.iterations < 20)
  }
}
