import Foundation
import SweepSpec
import Testing
import Training

/// A constant schedule trains the longest budget once; every shorter budget's
/// curve recorded on the way equals, bit for bit, a run of that budget alone.
@Suite struct DerivedBudgetTests {
  init() { BLAS.useSingleThread() }

  func check(_ job: JobSpec, budgets: [Int]) throws {
    let trainer = job.makeRunner()
    for cell in job.cells {
      var longest = cell
      longest.stepsBudget = budgets.max()!
      let together = try trainer.train(longest, budgets: budgets)
      for (budget, curve) in zip(budgets, together) {
        var alone = cell
        alone.stepsBudget = budget
        let separate = try trainer.train(alone)
        #expect(curve == separate, "width \(cell.width) data \(cell.data) budget \(budget)")
        #expect(curve.steps.last == budget)
      }
    }
  }

  @Test func projectedFeaturesOnlineAndFinite() throws {
    try check(
      projectedJob(
        widths: [16], features: 128, gammas: [0, 1], data: [.online, .finite(40)],
        steps: 150, lr: .constant(0.5), recordPoints: 9),
      budgets: [37, 90, 150])
  }

  @Test func mlpCircle() throws {
    try check(
      circleJob(
        widths: [16], data: [.online, .finite(32)], steps: 60, batch: 8, recordPoints: 7,
        testPoints: 129, modes: 16),
      budgets: [20, 60])
  }

  /// A budget that diverges ends there; a longer one goes on as its own run would.
  @Test func divergenceIsPerBudget() throws {
    let job = projectedJob(
      widths: [16], features: 128, steps: 80, lr: .constant(200), recordPoints: 6)
    try check(job, budgets: [10, 80])
    let curves = try job.makeRunner().train(job.cells[0], budgets: [10, 80])
    #expect(curves.allSatisfy { $0.status == .diverged })
  }

  /// The schedule's factor reaches the update: a cosine run differs from a
  /// constant one, and a cosine decaying to `final = 1` with no warmup is constant.
  @Test func scheduleScalesTheRate() throws {
    var job = projectedJob(widths: [16], features: 128, steps: 100, recordPoints: 5)
    let constant = try job.makeRunner().train(job.cells[0])
    job.training.schedule = .cosine(warmup: 0, final: 1)
    #expect(try job.makeRunner().train(job.cells[0]) == constant)
    job.training.schedule = .cosine(warmup: 10, final: 0)
    let cosine = try job.makeRunner().train(job.cells[0])
    #expect(cosine.testLoss != constant.testLoss)
    #expect(cosine.status == .done)
    // A budget-dependent schedule cannot record a shorter budget along the way.
    var longer = job.cells[0]
    longer.stepsBudget = 200
    #expect(throws: TrainingError.self) {
      try job.makeRunner().train(longer, budgets: [100, 200])
    }
  }
}
