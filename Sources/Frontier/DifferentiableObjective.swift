import Foundation

/// A smooth function `f: R^d -> R` that returns its value and writes its
/// gradient in one pass (the hot loops share intermediate terms).
public protocol DifferentiableObjective {
  var dimension: Int { get }
  /// Returns `f(x)` and stores `grad f(x)` in `gradient` (both of length `dimension`).
  func valueAndGradient(
    at x: UnsafeBufferPointer<Double>, gradient: UnsafeMutableBufferPointer<Double>
  ) -> Double
}

/// Rosenbrock's function `f(x) = sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2`,
/// minimum 0 at `x = (1, ..., 1)`: the classic test of a quasi-Newton method.
public struct RosenbrockObjective: DifferentiableObjective, Sendable {
  public var dimension: Int
  public init(dimension: Int) { self.dimension = dimension }

  public func valueAndGradient(
    at x: UnsafeBufferPointer<Double>, gradient g: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    var f = 0.0
    for i in 0..<dimension { g[i] = 0 }
    for i in 0..<(dimension - 1) {
      let a = x[i + 1] - x[i] * x[i]
      let b = 1 - x[i]
      f += 100 * a * a + b * b
      g[i] += -400 * a * x[i] - 2 * b
      g[i + 1] += 200 * a
    }
    return f
  }
}
