import Foundation

/// A learning rate as a function of the width `N`: one number, or a power law
/// in the width (muP-style transfer from a tuned reference width).
public enum LearningRateRule: Hashable, Sendable {
  /// The same rate at every width.
  case constant(Double)
  /// `lr(N) = base (N / referenceWidth)^widthExponent`: `base` at the
  /// reference width; exponent `-1` halves the rate when the width doubles.
  case width(base: Double, referenceWidth: Int, widthExponent: Double)

  /// The rate of a cell of width `width`.
  public func value(width: Int) -> Double {
    switch self {
    case .constant(let lr): return lr
    case .width(let base, let reference, let exponent):
      return base * pow(Double(width) / Double(reference), exponent)
    }
  }
}

/// One value of the learning-rate axis: a rule for every richness, or one
/// rule per `gamma` of the grid (rich dynamics need smaller steps as `gamma` grows).
public enum LearningRate: Hashable, Sendable {
  case uniform(LearningRateRule)
  /// Rules keyed by `gamma`, validated to cover every `gamma` of the grid.
  case perGamma([Double: LearningRateRule])

  /// One rate at every width and richness.
  public static func constant(_ lr: Double) -> LearningRate { .uniform(.constant(lr)) }

  /// The learning rate of cells with richness `gamma` and width `width`
  /// (NaN for a `gamma` the table lacks, which validation rules out).
  public func value(gamma: Double, width: Int) -> Double {
    switch self {
    case .uniform(let rule): return rule.value(width: width)
    case .perGamma(let table): return table[gamma]?.value(width: width) ?? .nan
    }
  }
}
