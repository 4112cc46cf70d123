/// The phases `phi_k` of a model-2 target `y = s sum_k k^-q cos(k (theta - phi_k))`
/// (job key `task.phases`).
public enum TargetPhases: String, Equatable, Sendable, CaseIterable {
  /// `phi_k` uniform on `[0, 2 pi)`, drawn from the cell's seed (each seed
  /// learns a different rotation pattern of the same spectrum).
  case random
  /// `phi_k = 0`: `y = s sum_k k^-q cos(k theta)`, the same function for every seed.
  case zero
}

/// The nonlinearity of a model-2 network (job key `model.activation`).
///
/// `relu` (`max(0, h)`) or `relu_power` `p` (`max(0, h)^p`, `p >= 1`). On the
/// circle the NTK's eigenvalues then decay as `k^-alpha` with about
/// `alpha = 2 p`; `scalesweep theory` measures alpha rather than assuming it.
public enum MLPActivation: Equatable, Sendable {
  case relu
  /// `max(0, h)^p` with `p > 1` (`p = 1` is stored as ``relu``).
  case reluPower(Double)

  /// `{"relu_power": 1}` reads as plain ReLU, so one function has one spelling.
  public init(power p: Double) {
    self = p == 1 ? .relu : .reluPower(p)
  }

  /// The exponent `p` (1 for ReLU).
  public var power: Double {
    switch self {
    case .relu: return 1
    case .reluPower(let p): return p
    }
  }

  /// The nominal capacity exponent of this activation's NTK on the circle, `2 p`.
  public var nominalAlpha: Double { 2 * power }

  /// `relu` or `relu^p`, for reports.
  public var description: String {
    switch self {
    case .relu: return "relu"
    case .reluPower(let p): return "relu^\(JSONValue.format(p))"
    }
  }
}
