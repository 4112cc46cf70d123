import SweepSpec

/// Records the learning curves of several step budgets along one training run.
///
/// With a budget-independent schedule (constant rate) a run of budget `T1`
/// is, step for step, the first `T1` steps of a run of budget `T2 > T1`: the
/// random streams omit the budget. So the longest budget is trained once and
/// every shorter budget's curve is recorded on the way, each exactly as a run
/// of that budget alone records it: its own log-spaced record steps, its own
/// window for the online training loss (the mean batch loss since its
/// previous record), and its own divergence test. A budget whose curve
/// diverges is closed; training goes on while a longer budget is still open.
struct CurveRecorder {
  /// One budget's curve in progress.
  private struct Curve {
    let budget: Int
    let recordSteps: [Int]
    var next = 0
    var train: [Double] = []
    var test: [Double] = []
    var windowSum = 0.0
    var windowCount = 0
    var divergedStep: Int?
    var open: Bool { divergedStep == nil && next < recordSteps.count }
  }

  private var curves: [Curve]
  /// Losses at or above this (or not finite) are divergence.
  let limit: Double

  /// `budgets` in any order, each recorded at `points` log-spaced steps.
  init(budgets: [Int], points: Int, limit: Double) {
    curves = budgets.map {
      Curve(budget: $0, recordSteps: RecordSchedule.steps(budget: $0, points: points))
    }
    self.limit = limit
  }

  /// The last step any budget still needs.
  var lastStep: Int { curves.filter(\.open).map(\.budget).max() ?? 0 }

  /// True while some budget still needs steps.
  var running: Bool { curves.contains(where: \.open) }

  /// Takes step `t`'s batch loss (measured before the update); at a record step
  /// of an open budget calls `measure` once for the test loss and, with a
  /// finite data set, the training loss over it (nil online).
  mutating func step(
    _ t: Int, batchLoss: Double, measure: () -> (test: Double, train: Double?)
  ) {
    let batchOK = batchLoss.isFinite && batchLoss < limit
    var measured: (test: Double, train: Double?)?
    for i in curves.indices where curves[i].open {
      guard batchOK else {
        curves[i].divergedStep = t
        continue
      }
      curves[i].windowSum += batchLoss
      curves[i].windowCount += 1
      guard curves[i].recordSteps[curves[i].next] == t else { continue }
      if measured == nil { measured = measure() }
      let test = measured!.test
      let train = measured!.train ?? curves[i].windowSum / Double(curves[i].windowCount)
      curves[i].windowSum = 0
      curves[i].windowCount = 0
      guard test.isFinite, test < limit, train.isFinite else {
        curves[i].divergedStep = t
        continue
      }
      curves[i].train.append(train)
      curves[i].test.append(test)
      curves[i].next += 1
    }
  }

  /// Every budget's outcome, in the order given to `init`.
  func outcomes(lossFloor: Double) -> [CellOutcome] {
    curves.map { curve in
      if let step = curve.divergedStep {
        return .diverged(
          at: step, steps: curve.recordSteps, trainLoss: curve.train, testLoss: curve.test,
          lossFloor: lossFloor)
      }
      return .done(
        steps: curve.recordSteps, trainLoss: curve.train, testLoss: curve.test,
        lossFloor: lossFloor)
    }
  }
}
