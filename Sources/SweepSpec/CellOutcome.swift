/// How a cell ended; the integer is `/cells/status` in results files.
public enum CellStatus: Int32, Sendable, CaseIterable {
  case pending = 0
  case done = 1
  case diverged = 2
  case failed = 3

  public var name: String {
    switch self {
    case .pending: return "pending"
    case .done: return "done"
    case .diverged: return "diverged"
    case .failed: return "failed"
    }
  }
}

/// The learning curve of one trained cell.
public struct CellOutcome: Equatable, Sendable {
  public var status: CellStatus
  /// The steps at which losses were recorded (``RecordSchedule/steps(budget:points:)``).
  public var steps: [Int]
  /// Training loss at each recorded step: for a finite data set the mean squared
  /// error over all `P` samples; online, the mean batch loss since the previous record.
  public var trainLoss: [Double]
  /// Population (test) loss at each recorded step.
  public var testLoss: [Double]
  /// The step at which the loss stopped being finite, for diverged cells.
  public var divergedStep: Int?
  /// The loss this width cannot go below however long it trains, where the
  /// model knows it exactly (model 1's bottleneck), else NaN.
  public var lossFloor: Double
  /// Why a cell failed.
  public var message: String?
  /// Curves of the shorter budgets recorded along this training (constant
  /// schedule), by budget ascending; empty when none were asked for.
  public var shorterBudgets: [CellOutcome] = []
  /// FLOPs per step measured by the trainer (a command's reported cumulative
  /// `flops` over its last step); nil keeps the job's own value.
  public var flopsPerStep: Double?

  public init(
    status: CellStatus, steps: [Int], trainLoss: [Double], testLoss: [Double],
    divergedStep: Int? = nil, lossFloor: Double = .nan, message: String? = nil,
    flopsPerStep: Double? = nil
  ) {
    self.flopsPerStep = flopsPerStep
    self.status = status
    self.steps = steps
    self.trainLoss = trainLoss
    self.testLoss = testLoss
    self.divergedStep = divergedStep
    self.lossFloor = lossFloor
    self.message = message
  }

  public static func == (a: CellOutcome, b: CellOutcome) -> Bool {
    a.status == b.status && a.steps == b.steps && sameBits(a.trainLoss, b.trainLoss)
      && sameBits(a.testLoss, b.testLoss) && a.divergedStep == b.divergedStep
      && a.lossFloor.bitPattern == b.lossFloor.bitPattern && a.message == b.message
      && a.shorterBudgets == b.shorterBudgets
      && a.flopsPerStep?.bitPattern == b.flopsPerStep?.bitPattern
  }

  private static func sameBits(_ x: [Double], _ y: [Double]) -> Bool {
    x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern }
  }
}

extension CellOutcome {
  /// Every ending of a cell is built here, so all runners agree on its shape:
  /// one loss per record step, NaN where nothing was recorded.

  /// A cell that trained to its budget.
  public static func done(
    steps: [Int], trainLoss: [Double], testLoss: [Double], lossFloor: Double = .nan,
    flopsPerStep: Double? = nil
  ) -> CellOutcome {
    CellOutcome(
      status: .done, steps: steps, trainLoss: padded(trainLoss, to: steps.count),
      testLoss: padded(testLoss, to: steps.count), lossFloor: lossFloor,
      flopsPerStep: flopsPerStep)
  }

  /// A cell whose loss stopped being finite at `step`: the losses recorded
  /// before it are kept, the rest are NaN.
  public static func diverged(
    at step: Int, steps: [Int], trainLoss: [Double], testLoss: [Double],
    lossFloor: Double = .nan, flopsPerStep: Double? = nil
  ) -> CellOutcome {
    CellOutcome(
      status: .diverged, steps: steps, trainLoss: padded(trainLoss, to: steps.count),
      testLoss: padded(testLoss, to: steps.count), divergedStep: step, lossFloor: lossFloor,
      flopsPerStep: flopsPerStep)
  }

  /// A cell that could not be trained: every loss NaN, `message` says why.
  public static func failed(steps: [Int], message: String) -> CellOutcome {
    let nan = [Double](repeating: .nan, count: steps.count)
    return CellOutcome(
      status: .failed, steps: steps, trainLoss: nan, testLoss: nan, message: message)
  }

  private static func padded(_ values: [Double], to count: Int) -> [Double] {
    values.count >= count
      ? Array(values.prefix(count))
      : values + [Double](repeating: .nan, count: count - values.count)
  }
}
