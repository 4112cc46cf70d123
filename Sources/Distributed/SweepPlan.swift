import SweepSpec

/// Which cells a run trains, in which order, and what each is expected to
/// cost: the "plan" of plan -> hand out -> run a cell -> record.
///
/// Cells whose cost is known (built-in models, a command with `cost`) go out
/// largest first; otherwise in canonical order, with ``LearnedCost`` filling
/// in estimates from finished cells as the sweep goes.
public struct SweepPlan: Sendable {
  /// Cells still to run.
  public let pending: [Int]
  /// The trainings that finish them (one per cell, or one per group of
  /// budgets: ``JobSpec/trainingRuns(of:)``), in hand-out order.
  public let runs: [TrainingRun]
  /// Cells finished before this run (resume).
  public let finished: [Int]
  /// The job's cost of each cell (``JobSpec/handOutCost(of:)``); nil when unknown.
  public let costs: [Double?]

  /// Plans `job` given each cell's status in the results file.
  public init(job: JobSpec, statuses: [CellStatus]) {
    let costs = job.cells.map { job.handOutCost(of: $0) }
    let pending = statuses.indices.filter { statuses[$0] == .pending }
    self.costs = costs
    self.pending = pending
    self.finished = statuses.indices.filter { statuses[$0] != .pending }
    let runs = job.trainingRuns(of: pending)
    if costs.allSatisfy({ $0 != nil }) {
      let byCell = Dictionary(uniqueKeysWithValues: runs.map { ($0.cell, $0) })
      self.runs = Scheduler.largestFirst(runs.map(\.cell)) { costs[$0] ?? 0 }.map { byCell[$0]! }
    } else {
      self.runs = runs
    }
  }

  /// Whether every cell's cost is known before any runs.
  public var costIsKnown: Bool { costs.allSatisfy { $0 != nil } }

  /// Cells recorded along a longer training (they cost nothing of their own).
  public var derivedCount: Int { runs.reduce(0) { $0 + $1.derived.count } }

  /// The progress line of this plan: it counts trainings (a derived cell
  /// costs nothing), weighed by known costs or, unknown, one per cell until learned.
  public func progressReporter(interval: Double, enabled: Bool) -> ProgressReporter {
    let work = costs.map { $0 ?? 1 }
    let done = finished.reduce(0) { $0 + work[$1] }
    return ProgressReporter(
      totalCells: costs.count - derivedCount,
      totalWork: done + runs.reduce(0) { $0 + work[$1.cell] },
      alreadyDoneCells: finished.count, alreadyDoneWork: done, interval: interval,
      enabled: enabled)
  }
}

/// Rank 0's running estimate of every cell's cost, for the progress line:
/// the job's own costs, or seconds learned from finished cells.
struct WorkEstimate {
  let cells: [Cell]
  let known: [Double?]
  var learned = LearnedCost()
  let learning: Bool

  init(cells: [Cell], plan: SweepPlan) {
    self.cells = cells
    self.known = plan.costs
    self.learning = !plan.costIsKnown
  }

  /// A cell's estimated work: its known cost, or learned seconds (1 before
  /// anything was learned, so progress counts cells).
  func work(of index: Int) -> Double {
    if !learning { return known[index] ?? 0 }
    let cell = cells[index]
    return learned.seconds(width: cell.width, steps: cell.stepsBudget) ?? 1
  }

  mutating func finished(_ index: Int, seconds: Double) {
    guard learning else { return }
    learned.observe(width: cells[index].width, steps: cells[index].stepsBudget, seconds: seconds)
  }
}
