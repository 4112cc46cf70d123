import Foundation

/// How the learning rate changes along one cell's training of `T` steps
/// (the cell's step budget). Step `t` runs from 1 to `T`, and the rate used
/// by step `t` is `lr * factor(step: t, budget: T)`.
public enum LearningRateSchedule: Hashable, Sendable {
  /// `factor = 1`: plain SGD. Budgets of one cell are then prefixes of the
  /// longest, which is trained once (see ``JobSpec/trainingRuns(of:)``).
  case constant
  /// Linear warmup over `warmup` steps, then a half cosine to `final` at the budget:
  ///
  ///     t <= W:  factor = t / W
  ///     t >  W:  factor = f + (1 - f) (1 + cos(pi (t - W) / (T - W))) / 2
  ///
  /// so `factor(W) = 1` and `factor(T) = f`.
  case cosine(warmup: Int, final: Double)
  /// Warmup, stable, decay: linear warmup over `W` steps, the full rate until
  /// the last `D = round(d T)` steps, then a linear decay to 0 at the budget:
  ///
  ///     t <= W:          factor = t / W
  ///     W < t <= T - D:  factor = 1
  ///     t >  T - D:      factor = (T - t) / D
  case wsd(warmup: Int, decay: Double)

  /// The `kind` string of job files.
  public var kind: String {
    switch self {
    case .constant: return "constant"
    case .cosine: return "cosine"
    case .wsd: return "wsd"
    }
  }

  /// Warmup steps (0 for the constant schedule).
  public var warmup: Int {
    switch self {
    case .constant: return 0
    case .cosine(let w, _), .wsd(let w, _): return w
    }
  }

  /// Steps of the final decay of ``wsd(warmup:decay:)`` at budget `T`: `round(d T)`, at least 1.
  public static func decaySteps(fraction d: Double, budget: Int) -> Int {
    max(1, Int((d * Double(budget)).rounded()))
  }

  /// The multiplier of the learning rate at step `t` (1-based) of a `budget`-step run.
  public func factor(step t: Int, budget: Int) -> Double {
    switch self {
    case .constant:
      return 1
    case .cosine(let w, let f):
      if t <= w { return Double(t) / Double(w) }
      let progress = Double(t - w) / Double(budget - w)
      return f + (1 - f) * (1 + cos(Double.pi * progress)) / 2
    case .wsd(let w, let d):
      if t <= w { return Double(t) / Double(w) }
      let decay = Self.decaySteps(fraction: d, budget: budget)
      if t <= budget - decay { return 1 }
      return Double(budget - t) / Double(decay)
    }
  }

  /// True when a run's rates do not depend on its budget, so a shorter budget's
  /// curve is the prefix of a longer one.
  public var budgetIndependent: Bool { self == .constant }
}
