/// The one seam between a sweep and whatever trains a cell.
///
/// A sweep reads top to bottom: plan (which cells, in which order) -> hand
/// out (``Distributed``) -> run a cell (a ``CellRunner``) -> record (a
/// ``CellRecorder``). The built-in models and the `command` kind are all
/// cell runners; the loop that drives them knows nothing about any of them.

/// The host's answer, asked between a running cell's steps: the only
/// spelling of "stop this cell".
public enum CellDirective: Sendable, Equatable {
  case proceed
  /// End the cell now; it stays pending and a resumed run trains it again.
  case stop
}

/// The host's side of a running cell.
public protocol CellSupervisor: AnyObject {
  /// Asked after every step of a built-in model (it must be cheap), and every
  /// few milliseconds while a command runs; `step` is the last step done (or
  /// reported), 0 before the first.
  func directive(afterStep step: Int) -> CellDirective
}

/// Runs one cell of a job to its step budget.
public protocol CellRunner: Sendable {
  /// Trains `cell` once and returns the outcome of each of `budgets`
  /// (ascending, at most the cell's budget, the last its own): the shorter
  /// ones are recorded along the way (``JobSpec/recordedBudgets(of:)``), each
  /// equal to training that budget alone. Returns nil when `supervisor` said
  /// ``CellDirective/stop`` (the cell stays pending); a diverged cell is an
  /// outcome, not an error. A thrown error means the cell failed: use
  /// ``outcome(of:job:supervisor:)``, which turns it into a failed outcome, so
  /// a sweep never crashes on one cell.
  func run(_ cell: Cell, budgets: [Int], supervisor: CellSupervisor) throws -> [CellOutcome]?
}

extension CellRunner {
  /// Trains `cell` to its own budget only.
  public func run(_ cell: Cell, supervisor: CellSupervisor) throws -> CellOutcome? {
    try run(cell, budgets: [cell.stepsBudget], supervisor: supervisor)?.last
  }

  /// The outcome of `cell` in a sweep of `job`, with the curves of the
  /// shorter budgets it records in ``CellOutcome/shorterBudgets``; a thrown
  /// error becomes a failed outcome naming it.
  public func outcome(of cell: Cell, job: JobSpec, supervisor: CellSupervisor) -> CellOutcome? {
    do {
      guard
        var outcomes = try run(cell, budgets: job.recordedBudgets(of: cell), supervisor: supervisor)
      else { return nil }
      var outcome = outcomes.removeLast()
      outcome.shorterBudgets = outcomes
      return outcome
    } catch {
      return .failed(
        steps: RecordSchedule.steps(budget: cell.stepsBudget, points: job.training.recordPoints),
        message: "\(error)")
    }
  }
}

/// Where finished cells go (rank 0 only): the results file.
public protocol CellRecorder: AnyObject {
  /// Status of every cell, in canonical order (pending ones are still to run).
  var statuses: [CellStatus] { get }
  /// Stores a finished cell durably before returning; `sourceBudget` is the
  /// budget of the training that recorded the curve (nil: the cell's own).
  func record(
    cell index: Int, outcome: CellOutcome, seconds: Double, rank: Int, sourceBudget: Int?
  ) throws
}

/// A supervisor that never stops a cell (tests, benchmarks, one-off runs).
public final class UnsupervisedCell: CellSupervisor {
  public init() {}
  public func directive(afterStep step: Int) -> CellDirective { .proceed }
}
