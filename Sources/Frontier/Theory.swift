import Foundation

/// Lazy (kernel / NTK limit, `gamma -> 0`) or rich (feature learning) training.
public enum TrainingRegime: String, Sendable, Codable, CaseIterable {
  case lazy, rich
  /// Lazy when `gamma <= lazyAtMost`. Model 1 has an exact `gamma = 0`
  /// (the default threshold); a model that divides by its richness, such as
  /// the MLP's `gamma0`, can only approach it, so its small values count as lazy.
  public init(gamma: Double, lazyAtMost: Double = 0) {
    self = gamma <= lazyAtMost ? .lazy : .rich
  }
}

/// Task difficulty relative to the initial kernel (Bordelon, Atanasov, Pehlevan 2024):
/// hard `beta < 1` (target outside the RKHS), easy `1 <= beta < 2 - 1/alpha`,
/// super-easy `beta >= 2 - 1/alpha`.
public enum TaskClass: String, Sendable, Codable, CaseIterable {
  case hard, easy
  case superEasy = "super-easy"

  public init(alpha: Double, beta: Double) {
    if beta < 1 {
      self = .hard
    } else if beta < 2 - 1 / alpha {
      self = .easy
    } else {
      self = .superEasy
    }
  }
}

/// Compute-optimal scaling exponents: `L* ~ C^-loss`, `N* ~ C^width`, `t* ~ C^time`.
public struct ComputeOptimalExponents: Sendable, Codable, Equatable {
  /// Decay exponent of the compute-optimal loss (positive: `L* ~ C^-loss`).
  public var loss: Double
  public var width: Double
  public var time: Double
}

/// The predicted exponents of "How Feature Learning Can Improve Neural
/// Scaling Laws" (Bordelon, Atanasov, Pehlevan, ICLR 2025) for a task with
/// capacity exponent `alpha` (kernel eigenvalues `lambda_k ~ k^-alpha`) and
/// source exponent `beta` (`lambda_k (w*_k)^2 ~ k^-(alpha beta + 1)`).
/// All exponents are positive decay/growth rates.
public struct ScalingTheory: Sendable, Codable, Equatable {
  public var alpha: Double
  public var beta: Double
  public var regime: TrainingRegime

  /// - Throws: `FrontierError.invalidValue` unless `alpha > 1` and `beta > 0`.
  public init(alpha: Double, beta: Double, regime: TrainingRegime) throws {
    guard alpha > 1, alpha.isFinite else {
      throw FrontierError.invalidValue(
        context: "ScalingTheory alpha", value: alpha, expected: "alpha > 1")
    }
    guard beta > 0, beta.isFinite else {
      throw FrontierError.invalidValue(
        context: "ScalingTheory beta", value: beta, expected: "beta > 0")
    }
    self.alpha = alpha
    self.beta = beta
    self.regime = regime
  }

  public var taskClass: TaskClass { TaskClass(alpha: alpha, beta: beta) }

  /// Time exponent `chi` of `L(t) ~ t^-chi`:
  ///
  ///     lazy:  chi = beta
  ///     rich:  chi(beta) = beta * max(1, 2 / (1 + beta))
  ///
  /// so rich training nearly doubles the exponent of hard tasks
  /// (`2 beta / (1 + beta)`) and leaves easy tasks (`beta >= 1`) unchanged.
  public static func chi(beta: Double, regime: TrainingRegime) -> Double {
    switch regime {
    case .lazy: return beta
    case .rich: return beta * max(1, 2 / (1 + beta))
    }
  }

  public var timeExponent: Double { ScalingTheory.chi(beta: beta, regime: regime) }

  /// The paper's width exponent at long time, `L(N) ~ N^-(alpha beta)`, both regimes.
  public var paperWidthExponent: Double { alpha * beta }

  /// The width-bottleneck exponent measured on model 1:
  /// `L(N, t -> inf) ~ N^-(alpha min(1, beta))`, equal to the paper's
  /// `alpha beta` for hard tasks and `alpha` for easy ones. Used for predictions.
  public var widthExponent: Double { alpha * min(1, beta) }

  /// Data exponent at long time, `L(P) ~ P^-(alpha beta)`, capped at `2 alpha`.
  public var dataExponent: Double { min(alpha * beta, 2 * alpha) }

  /// Compute-optimal allocation from balancing `t^-chi` against `N^-w`
  /// (`w = widthExponent`) at fixed compute `C = N^p t` (`p = 1` for the
  /// paper's `C = N t`; `p` = log-log slope of FLOPs per step against width
  /// when compute is counted in FLOPs):
  ///
  ///     L* ~ C^-(w chi / (w + p chi)),  N* ~ C^(chi / (w + p chi)),  t* ~ C^(w / (w + p chi))
  ///
  /// For `p = 1` this is the paper's lazy `N* ~ C^(1/(1+alpha))`,
  /// `t* ~ C^(alpha/(1+alpha))`, `L* ~ C^-(alpha beta/(1+alpha))`, and rich
  /// `L* ~ C^-(2 alpha beta / (alpha (1 + beta) + 2))`.
  public func computeOptimal(computeWidthPower p: Double = 1) -> ComputeOptimalExponents {
    let w = widthExponent
    let chi = timeExponent
    let denominator = w + p * chi
    return ComputeOptimalExponents(
      loss: w * chi / denominator, width: chi / denominator, time: w / denominator)
  }

  /// Signed log-log slopes to compare with measurements, keyed like the
  /// bootstrap statistics (`time`, `width`, `data`, `computeLoss`, `computeWidth`, `computeTime`).
  public func predictedSlopes(computeWidthPower p: Double = 1) -> [String: Double] {
    let optimal = computeOptimal(computeWidthPower: p)
    return [
      "time": -timeExponent, "width": -widthExponent, "data": -dataExponent,
      "computeLoss": -optimal.loss, "computeWidth": optimal.width, "computeTime": optimal.time,
    ]
  }

  /// The predicted signed log-log slope of `quantity` (as stored in a
  /// `Statistic`: decays negative, allocations positive).
  public func predictedSlope(_ quantity: TheoryQuantity, computeWidthPower p: Double = 1) -> Double
  {
    let optimal = computeOptimal(computeWidthPower: p)
    switch quantity {
    case .time: return -timeExponent
    case .width: return -widthExponent
    case .data: return -dataExponent
    case .computeLoss: return -optimal.loss
    case .computeWidth: return optimal.width
    case .computeTime: return optimal.time
    }
  }

  /// A short human-readable summary (for a `theory` command).
  public func summary(computeWidthPower p: Double = 1) -> String {
    let optimal = computeOptimal(computeWidthPower: p)
    func f(_ x: Double) -> String { String(format: "%.3f", x) }
    return """
      alpha = \(f(alpha)), beta = \(f(beta)): \(taskClass.rawValue) task, \(regime.rawValue) regime
        L(t) ~ t^-\(f(timeExponent))    (chi; lazy \(f(ScalingTheory.chi(beta: beta, regime: .lazy))), rich \(f(ScalingTheory.chi(beta: beta, regime: .rich))))
        L(N) ~ N^-\(f(widthExponent))    (paper alpha*beta = \(f(paperWidthExponent)))
        L(P) ~ P^-\(f(dataExponent))
        compute C = N^\(f(p)) t:  L* ~ C^-\(f(optimal.loss)),  N* ~ C^\(f(optimal.width)),  t* ~ C^\(f(optimal.time))
      """
  }
}
