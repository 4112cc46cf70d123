import SweepSpec

/// Errors while training a cell; a sweep records them as failed cells.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
  /// A numerical step failed in a way that is not divergence.
  case numerical(cell: Int, message: String)

  public var description: String {
    switch self {
    case .numerical(let cell, let message): return "cell \(cell): \(message)"
    }
  }
}

extension JobSpec {
  /// The cell runner for this job's model. `checkpointRoot` holds the
  /// per-cell checkpoint directories of a `command` job (beside the results
  /// file); `stopGrace` is how long a stopped command gets between SIGTERM and SIGKILL.
  public func makeRunner(checkpointRoot: String = ".", stopGrace: Double = 30) -> any CellRunner {
    switch model {
    case .projectedFeatures:
      return ProjectedFeatureTrainer(job: self)
    case .mlpCircle:
      return MLPCircleTrainer(job: self)
    case .command:
      return CommandRunner(job: self, checkpointRoot: checkpointRoot, stopGrace: stopGrace)
    }
  }
}

extension CellRunner {
  /// Budgets other than the cell's own need runs shared across budgets
  /// (``JobSpec/sharesRunsAcrossBudgets``).
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

/// Fails the given cells on purpose (`SCALESWEEP_FAIL_CELLS=3,5`): a testing
/// hook that proves a failing cell is recorded as failed while the sweep goes
/// on. A failing shorter budget recorded along a longer training fails alone.
public struct FailureInjectingRunner: CellRunner {
  public let base: any CellRunner
  public let failing: Set<Int>
  /// Index of every cell by its coordinates (to name a shorter budget's cell).
  let index: [Cell.Coordinates: Int]
  static let message = "failure injected through SCALESWEEP_FAIL_CELLS"

  public init(base: any CellRunner, failing: Set<Int>, job: JobSpec) {
    self.base = base
    self.failing = failing
    self.index = job.cellIndexByCoordinates
  }

  public func run(_ cell: Cell, budgets: [Int], supervisor: CellSupervisor) throws
    -> [CellOutcome]?
  {
    if failing.contains(cell.index) {
      throw TrainingError.numerical(cell: cell.index, message: Self.message)
    }
    guard var outcomes = try base.run(cell, budgets: budgets, supervisor: supervisor) else {
      return nil
    }
    for (i, budget) in budgets.enumerated() where budget != cell.stepsBudget {
      let shorter = index[cell.coordinates.with(stepsBudget: budget)] ?? -1
      if failing.contains(shorter) {
        outcomes[i] = .failed(
          steps: outcomes[i].steps, message: "cell \(shorter): \(Self.message)")
      }
    }
    return outcomes
  }
}
