import Foundation

/// One unit of work: a model of one width trained on one task, data size,
/// richness and seed for one step budget.
public struct Cell: Equatable, Hashable, Sendable {
  /// Position in the job's canonical order (the row in every results array).
  public var index: Int
  /// Index into ``JobSpec/tasks``.
  public var task: Int
  public var width: Int
  public var data: DataSize
  public var gamma: Double
  public var seed: Int
  public var stepsBudget: Int

  public init(
    index: Int, task: Int, width: Int, data: DataSize, gamma: Double, seed: Int, stepsBudget: Int
  ) {
    self.index = index
    self.task = task
    self.width = width
    self.data = data
    self.gamma = gamma
    self.seed = seed
    self.stepsBudget = stepsBudget
  }
}

extension JobSpec {
  /// Every cell of the grid in canonical order: task, then width, data, gamma,
  /// seed and step budget, the last varying fastest, each axis in the order the
  /// job file lists it.
  public var cells: [Cell] {
    var out: [Cell] = []
    out.reserveCapacity(cellCount)
    for task in tasks.indices {
      for width in grid.widths {
        for data in grid.data {
          for gamma in grid.gammas {
            for seed in grid.seeds {
              for steps in grid.steps {
                out.append(
                  Cell(
                    index: out.count, task: task, width: width, data: data, gamma: gamma,
                    seed: seed, stepsBudget: steps))
              }
            }
          }
        }
      }
    }
    return out
  }

  public var cellCount: Int {
    tasks.count * grid.widths.count * grid.data.count * grid.gammas.count * grid.seeds.count
      * grid.steps.count
  }

  /// The union of every budget's record steps, ascending: the `/steps` axis.
  public var recordedSteps: [Int] {
    var all = Set<Int>()
    for budget in grid.steps {
      all.formUnion(RecordSchedule.steps(budget: budget, points: training.recordPoints))
    }
    return all.sorted()
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
