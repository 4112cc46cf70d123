import Foundation

/// One training run (a cell of a sweep): loss recorded at log-spaced steps
/// up to the cell's budget.
public struct LossCurve: Sendable, Codable, Equatable {
  /// Width `N` (hidden units).
  public var width: Double
  /// Data set size `P`; nil means online (fresh samples every step).
  public var data: Double?
  /// Richness `gamma`; 0 is lazy, > 0 rich.
  public var gamma: Double
  /// Task label (e.g. "hard", "q=1").
  public var task: String
  /// Capacity exponent `alpha` of the task, when known (enables theory).
  public var taskAlpha: Double?
  /// Source exponent `beta` of the task, when known (enables theory).
  public var taskBeta: Double?
  public var seed: Int
  /// FLOPs of one step (forward + backward) at this width.
  public var flopsPerStep: Double
  /// Steps `t` at which the loss was recorded.
  public var steps: [Double]
  /// Loss at each step; NaN means not recorded (skipped with a warning).
  public var loss: [Double]
  /// The loss this width cannot go below, `L_inf` (model 1: the exact width
  /// bottleneck); nil when unknown. When known it bounds the `L(t)` fit
  /// window (see `FitWindowPolicy`) and gives the bottleneck fit `L_inf ~ N^x`.
  public var lossFloor: Double? = nil

  public init(
    width: Double, data: Double? = nil, gamma: Double, task: String, taskAlpha: Double? = nil,
    taskBeta: Double? = nil, seed: Int, flopsPerStep: Double, steps: [Double], loss: [Double],
    lossFloor: Double? = nil
  ) {
    self.lossFloor = lossFloor
    self.width = width
    self.data = data
    self.gamma = gamma
    self.task = task
    self.taskAlpha = taskAlpha
    self.taskBeta = taskBeta
    self.seed = seed
    self.flopsPerStep = flopsPerStep
    self.steps = steps
    self.loss = loss
  }
}

/// How compute is counted on the x axis of the frontier.
public enum ComputeMeasure: String, Sendable, Codable, CaseIterable {
  /// Recorded FLOPs, `C = flopsPerStep * t` (default).
  case flops
  /// The paper's `C = N t`.
  case nt
}

/// The unit a bootstrap replicate resamples with replacement.
public enum ResamplingUnit: String, Sendable, Codable, CaseIterable {
  /// All cells sharing a seed form one cluster (falls back to single cells
  /// when the slice has only one seed).
  case seedClusters
  /// Every cell (curve) is its own cluster.
  case cells
}

/// One `(gamma, task, data)` slice of a sweep, analysed separately.
public struct SliceKey: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
  public var gamma: Double
  public var task: String
  /// Data set size `P`; nil = online.
  public var data: Double?

  public init(gamma: Double, task: String, data: Double?) {
    self.gamma = gamma
    self.task = task
    self.data = data
  }

  public var description: String {
    let p = data.map { String(format: "%g", $0) } ?? "online"
    return "gamma=\(String(format: "%g", gamma)) task=\(task) P=\(p)"
  }

  /// Exact identity as text (shortest round-trip numbers): distinct keys
  /// never share it, unlike `description`'s `%g` (P = 1234567 and 1234568
  /// both print as `1.23457e+06`). Seeds the slice's bootstrap.
  public var identifier: String {
    "gamma=\(gamma) task=\(task) P=\(data.map { "\($0)" } ?? "online")"
  }

  public static func < (l: SliceKey, r: SliceKey) -> Bool {
    if l.task != r.task { return l.task < r.task }
    if l.data != r.data { return (l.data ?? .infinity) < (r.data ?? .infinity) }
    return l.gamma < r.gamma
  }
}
