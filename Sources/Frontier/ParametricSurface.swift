import Foundation

/// The fitted surface `L(x1, x2) = E + A x1^-a + B x2^-b`.
///
/// With compute `C ∝ x1^p x2` (`p = 1` for `C = N t` or `C = 6 N D`;
/// `p` is the log-log slope of FLOPs per step against width otherwise),
/// minimising `A x1^-a + B x2^-b` at fixed `C` gives
///
///     x1* ~ C^(b / (a + p b)),  x2* ~ C^(a / (a + p b)),  L* - E ~ C^-(a b / (a + p b)),
///
/// which for `p = 1` is the familiar `N* ~ C^(b/(a+b))`, `t* ~ C^(a/(a+b))`,
/// `L* - E ~ C^-(ab/(a+b))`.
public struct ParametricSurface: Sendable, Codable, Equatable {
  public var logA: Double
  public var a: Double
  public var logB: Double
  public var b: Double
  public var logE: Double
  /// Objective value at the optimum (sum of Huber losses).
  public var objective: Double

  public var E: Double { Foundation.exp(logE) }
  public var A: Double { Foundation.exp(logA) }
  public var B: Double { Foundation.exp(logB) }

  public init(theta: [Double], objective: Double) {
    logA = theta[0]
    a = theta[1]
    logB = theta[2]
    b = theta[3]
    logE = theta[4]
    self.objective = objective
  }

  public var theta: [Double] { [logA, a, logB, b, logE] }

  public func loss(size: Double, length: Double) -> Double {
    E + A * Foundation.pow(size, -a) + B * Foundation.pow(length, -b)
  }

  /// Exponent of `x1*(C)` for `C ∝ x1^p x2`.
  public func sizeAllocationExponent(computeWidthPower p: Double = 1) -> Double { b / (a + p * b) }
  /// Exponent of `x2*(C)`.
  public func lengthAllocationExponent(computeWidthPower p: Double = 1) -> Double {
    a / (a + p * b)
  }
  /// Decay exponent `c` of `L* - E ~ C^-c`.
  public func lossDecayExponent(computeWidthPower p: Double = 1) -> Double { a * b / (a + p * b) }
}
