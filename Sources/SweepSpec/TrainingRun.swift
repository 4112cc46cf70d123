/// One training of a sweep: a cell trained to its budget, and the shorter
/// budgets of the same coordinates whose curves are recorded along the way.
///
/// With a budget-independent schedule (``LearningRateSchedule/constant``) a
/// shorter budget's run is the prefix of a longer one (the random streams
/// omit the budget), so the pending cells of one group (all coordinates but
/// the budget) are trained once, to the longest pending budget. With a
/// schedule that depends on the budget every cell is its own run.
public struct TrainingRun: Equatable, Sendable {
  /// Index of the cell that is trained.
  public var cell: Int
  /// Indices of the cells whose curves are the prefixes of this run, shortest first.
  public var derived: [Int]

  public init(cell: Int, derived: [Int] = []) {
    self.cell = cell
    self.derived = derived
  }
}

extension JobSpec {
  /// The trainings that finish the cells `pending` (indices into ``cells``), in
  /// the order of their trained cells' first appearance.
  public func trainingRuns(of pending: [Int]) -> [TrainingRun] {
    guard sharesRunsAcrossBudgets else {
      return pending.map { TrainingRun(cell: $0) }
    }
    let all = cells
    var groups: [Cell.Coordinates: [Int]] = [:]
    var order: [Cell.Coordinates] = []
    for index in pending {
      let key = all[index].coordinates.with(stepsBudget: 0)
      if groups[key] == nil { order.append(key) }
      groups[key, default: []].append(index)
    }
    return order.map { key in
      let members = groups[key]!.sorted { all[$0].stepsBudget < all[$1].stepsBudget }
      return TrainingRun(cell: members.last!, derived: Array(members.dropLast()))
    }
  }

  /// The budgets a training of `cell` records: with a budget-independent
  /// schedule every budget of the grid up to the cell's, ascending, else the
  /// cell's own.
  public func recordedBudgets(of cell: Cell) -> [Int] {
    guard sharesRunsAcrossBudgets else { return [cell.stepsBudget] }
    return grid.steps.filter { $0 <= cell.stepsBudget }.sorted()
  }

  /// Whether shorter budgets are recorded along a longer one's training: a
  /// budget-independent schedule of a built-in model. A `command` program
  /// may use its budget (`{steps}`) in its own schedule, so each of its cells
  /// is its own run.
  public var sharesRunsAcrossBudgets: Bool {
    if case .command = model { return false }
    return training.schedule.budgetIndependent
  }

  /// Index of every cell by its coordinates.
  public var cellIndexByCoordinates: [Cell.Coordinates: Int] {
    Dictionary(cells.map { ($0.coordinates, $0.index) }, uniquingKeysWith: { first, _ in first })
  }

  /// The outcome of each derived cell of `run` given the trained cell's
  /// `outcome`: its curve recorded along the training, or, when the training
  /// failed before recording them, the same failure. `all` is ``cells``.
  public func derivedOutcomes(of run: TrainingRun, trained outcome: CellOutcome, cells all: [Cell])
    -> [(cell: Int, outcome: CellOutcome)]
  {
    let trained = all[run.cell]
    let budgets = recordedBudgets(of: trained).filter { $0 != trained.stepsBudget }
    return run.derived.map { derived in
      let budget = all[derived].stepsBudget
      if let position = budgets.firstIndex(of: budget), position < outcome.shorterBudgets.count {
        return (derived, outcome.shorterBudgets[position])
      }
      return (
        derived,
        .failed(
          steps: RecordSchedule.steps(budget: budget, points: training.recordPoints),
          message: outcome.message ?? "the training of cell \(run.cell) failed")
      )
    }
  }
}
