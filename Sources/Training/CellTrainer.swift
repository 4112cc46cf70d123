import SweepSpec

/// What a running cell asks its host between steps.
public enum TrainingDirective: Sendable {
  case proceed
  /// Stop now and throw ``TrainingError/interrupted``.
  case abandon
}

/// Errors while training a cell.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
  /// The host asked the cell to stop (graceful shutdown).
  case interrupted(cell: Int, step: Int)
  /// A numerical step failed in a way that is not divergence.
  case numerical(cell: Int, message: String)

  public var description: String {
    switch self {
    case .interrupted(let cell, let step): return "cell \(cell) interrupted at step \(step)"
    case .numerical(let cell, let message): return "cell \(cell): \(message)"
    }
  }
}

/// Trains one cell of a job. A new model is a new conforming type.
public protocol CellTrainer: Sendable {
  /// Trains `cell` to its step budget. `between` is called after every step
  /// (it must be cheap); returning ``TrainingDirective/abandon`` stops the cell.
  func train(_ cell: Cell, between: () -> TrainingDirective) throws -> CellOutcome
}

extension JobSpec {
  /// The trainer for this job's model.
  public func makeTrainer() -> any CellTrainer {
    switch model {
    case .projectedFeatures:
      return ProjectedFeatureTrainer(job: self)
    case .mlpCircle:
      return MLPCircleTrainer(job: self)
    }
  }
}
