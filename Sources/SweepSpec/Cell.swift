import Foundation

/// One unit of work: a model of one width trained on one task, data size,
/// richness, learning rate, batch size and seed for one step budget.
public struct Cell: Equatable, Hashable, Sendable {
  /// Position in the job's canonical order (the row in every results array).
  public var index: Int
  /// Index into ``JobSpec/tasks``.
  public var task: Int
  public var width: Int
  public var data: DataSize
  public var gamma: Double
  /// The cell's learning rate, resolved from its ``LearningRate`` for this
  /// gamma and width (`/cells/lr`); the schedule multiplies it step by step.
  public var learningRate: Double
  /// Samples per SGD step (`/cells/batch`).
  public var batch: Int
  public var seed: Int
  public var stepsBudget: Int

  public init(
    index: Int, task: Int, width: Int, data: DataSize, gamma: Double, learningRate: Double,
    batch: Int, seed: Int, stepsBudget: Int
  ) {
    self.index = index
    self.task = task
    self.width = width
    self.data = data
    self.gamma = gamma
    self.learningRate = learningRate
    self.batch = batch
    self.seed = seed
    self.stepsBudget = stepsBudget
  }

  /// Every coordinate but the index: what identifies a cell across jobs
  /// (a grown job's finished cells are found by it).
  public var coordinates: Coordinates {
    Coordinates(
      task: task, width: width, data: data, gamma: gamma, learningRate: learningRate,
      batch: batch, seed: seed, stepsBudget: stepsBudget)
  }

  /// A cell's identity without its position in a job.
  public struct Coordinates: Hashable, Sendable {
    public var task: Int
    public var width: Int
    public var data: DataSize
    public var gamma: Double
    public var learningRate: Double
    public var batch: Int
    public var seed: Int
    public var stepsBudget: Int

    /// The same coordinates with another step budget.
    public func with(stepsBudget budget: Int) -> Coordinates {
      var copy = self
      copy.stepsBudget = budget
      return copy
    }
  }
}

extension JobSpec {
  /// Every cell of the grid in canonical order: task, then width, data, gamma,
  /// learning rate, batch, seed and step budget, the last varying fastest, each
  /// axis in the order the job file lists it.
  public var cells: [Cell] {
    var out: [Cell] = []
    out.reserveCapacity(cellCount)
    for task in tasks.indices {
      for width in grid.widths {
        for data in grid.data {
          for gamma in grid.gammas {
            for rate in grid.learningRates {
              let lr = rate.value(gamma: gamma, width: width)
              for batch in grid.batches {
                for seed in grid.seeds {
                  for steps in grid.steps {
                    out.append(
                      Cell(
                        index: out.count, task: task, width: width, data: data, gamma: gamma,
                        learningRate: lr, batch: batch, seed: seed, stepsBudget: steps))
                  }
                }
              }
            }
          }
        }
      }
    }
    return out
  }

  public var cellCount: Int {
    tasks.count * grid.widths.count * grid.data.count * grid.gammas.count
      * grid.learningRates.count * grid.batches.count * grid.seeds.count * grid.steps.count
  }

  /// The union of every budget's record steps, ascending: the `/steps` axis.
  public var recordedSteps: [Int] {
    var all = Set<Int>()
    for budget in grid.steps {
      all.formUnion(RecordSchedule.steps(budget: budget, points: training.recordPoints))
    }
    return all.sorted()
  }

  /// Budgets that record fewer than `training.record_points` losses: a short
  /// budget has fewer distinct integer steps than points asked for.
  public var reducedRecordCounts: [(budget: Int, points: Int)] {
    grid.steps.compactMap { budget in
      let n = RecordSchedule.steps(budget: budget, points: training.recordPoints).count
      return n < training.recordPoints ? (budget, n) : nil
    }
  }
}

/// Where along training a cell records its losses.
public enum RecordSchedule {
  /// `points` steps spaced evenly in log between 1 and `budget` (both included),
  /// rounded to integers with duplicates removed, so short budgets get fewer points.
  public static func steps(budget: Int, points: Int) -> [Int] {
    precondition(budget >= 1 && points >= 2)
    let top = Double(budget)
    var out: [Int] = []
    for i in 0..<points {
      let s = Int((pow10(Double(i) / Double(points - 1) * log10(top))).rounded())
      let clamped = min(max(s, 1), budget)
      if out.last != clamped { out.append(clamped) }
    }
    if out.last != budget { out.append(budget) }
    return out
  }

  private static func pow10(_ x: Double) -> Double { exp(x * log(10.0)) }
}
