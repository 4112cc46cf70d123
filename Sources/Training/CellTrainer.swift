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

  /// Trains `cell` once and returns the curves of `budgets` (each at most the
  /// cell's budget, in that order), each equal to what training a cell of that
  /// budget alone gives. Only for budget-independent schedules when `budgets`
  /// holds more than the cell's own budget.
  func train(_ cell: Cell, budgets: [Int], between: () -> TrainingDirective) throws
    -> [CellOutcome]
}

extension CellTrainer {
  /// Trains each budget on its own: right for any trainer, and what one that
  /// cannot record several budgets in one run does.
  public func train(_ cell: Cell, budgets: [Int], between: () -> TrainingDirective) throws
    -> [CellOutcome]
  {
    var out: [CellOutcome] = []
    for budget in budgets {
      var shorter = cell
      shorter.stepsBudget = budget
      out.append(try train(shorter, between: between))
    }
    return out
  }

  /// Budgets other than the cell's own need a budget-independent schedule.
  func checkBudgets(_ budgets: [Int], of cell: Cell, schedule: LearningRateSchedule) throws {
    guard let longest = budgets.max(), longest <= cell.stepsBudget, budgets.min()! >= 1 else {
      throw TrainingError.numerical(
        cell: cell.index, message: "budgets \(budgets) exceed the cell's \(cell.stepsBudget)")
    }
    guard schedule.budgetIndependent || budgets == [cell.stepsBudget] else {
      throw TrainingError.numerical(
        cell: cell.index,
        message:
          "a \(schedule.kind) schedule depends on the budget: budgets \(budgets) cannot share a run"
      )
    }
  }
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
