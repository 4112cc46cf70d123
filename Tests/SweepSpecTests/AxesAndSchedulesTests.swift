import Foundation
import SweepSpec
import Testing

/// Learning-rate and batch axes, width rules, schedules and job metadata.
@Suite struct AxesAndSchedulesTests {
  static func job(grid: String = "", training: String = #""lr": 0.5"#, top: String = "") throws
    -> JobSpec
  {
    try JobSpec.parse(
      """
      {"name": "axes", \(top) "model": {"kind": "projected-features", "features": 1024},
       "task": {"alpha": 2, "beta": 0.5},
       "grid": {"width": [64, 256], "gamma": [0, 1], "steps": [100, 400] \(grid)},
       "training": {\(training)}}
      """, file: "axes.json")
  }

  static func error(grid: String = "", training: String = #""lr": 0.5"#, top: String = "")
    -> String
  {
    do {
      _ = try job(grid: grid, training: training, top: top)
      return "no error"
    } catch {
      return "\(error)"
    }
  }

  @Test func lrAndBatchAxesMakeCellsInCanonicalOrder() throws {
    let job = try Self.job(grid: #", "lr": [0.5, 0.25], "batch": [16, 64]"#, training: "")
    #expect(job.cellCount == 2 * 2 * 2 * 2 * 2)
    let cells = job.cells
    // Order: width, data, gamma, lr, batch, seed, budget (budget fastest).
    #expect(cells[0].learningRate == 0.5 && cells[0].batch == 16 && cells[0].stepsBudget == 100)
    #expect(cells[1].stepsBudget == 400)
    #expect(cells[2].batch == 64 && cells[2].learningRate == 0.5)
    #expect(cells[4].learningRate == 0.25 && cells[4].batch == 16)
    #expect(cells[8].gamma == 1)
    #expect(Set(cells.map(\.coordinates)).count == cells.count)
    // One value in grid.lr is the same job as training.lr.
    let single = try Self.job(grid: #", "lr": 0.5"#, training: "")
    #expect(single == (try Self.job()))
    #expect(single.normalizedJSON == (try Self.job()).normalizedJSON)
  }

  @Test func widthRuleGivesBaseTimesWidthRatioToTheExponent() throws {
    let job = try Self.job(
      training: #""lr": {"base": 0.5, "reference_width": 128, "width_exponent": -1}"#)
    let byWidth = Dictionary(grouping: job.cells, by: \.width).mapValues {
      Set($0.map(\.learningRate))
    }
    #expect(byWidth[64] == [1.0])  // 0.5 (64/128)^-1
    #expect(byWidth[256] == [0.25])
    let perGamma = try Self.job(
      training:
        #""lr": {"0": 0.5, "1": {"base": 0.1, "reference_width": 64, "width_exponent": -0.5}}"#)
    for cell in perGamma.cells {
      let expected = cell.gamma == 0 ? 0.5 : 0.1 * (Double(cell.width) / 64).squareRoot().reciprocal
      #expect(abs(cell.learningRate - expected) <= 1e-15 * expected, "\(cell)")
    }
    // The normalised job reads back to the same job.
    #expect(try JobSpec.parse(perGamma.normalizedJSON, file: "n") == perGamma)
  }

  @Test func badAxesNameTheKey() {
    #expect(
      Self.error(grid: #", "lr": [0.1]"#).contains("grid.lr: got both grid.lr and training.lr"))
    #expect(
      Self.error(grid: #", "batch": [8]"#, training: #""lr": 1, "batch": 8"#).contains("grid.batch")
    )
    #expect(
      Self.error(training: #""lr": {"reference_width": 64, "width_exponent": -1}"#)
        .contains("training.lr.base: missing"))
    #expect(
      Self.error(
        grid: #", "lr": [0.5, {"base": 0.5, "reference_width": 64, "width_exponent": 0}]"#,
        training: ""
      )
      .contains("grid.lr[1]"))
    #expect(
      Self.error(training: #""lr": 1, "schedule": "cosin""#).contains("did you mean \"cosine\""))
    #expect(
      Self.error(training: #""lr": 1, "schedule": {"kind": "cosine", "warmup": 100}"#)
        .contains("training.schedule.warmup"))
    #expect(
      Self.error(training: #""lr": 1, "schedule": {"kind": "wsd", "decay": 1.5}"#)
        .contains("training.schedule.decay"))
    #expect(Self.error(top: #""tags": ["a", "a"],"#).contains("tags[1]"))
  }

  @Test func scheduleFactorsFollowTheirFormulas() {
    // Constant.
    #expect(LearningRateSchedule.constant.factor(step: 7, budget: 10) == 1)
    // Cosine, W = 10, f = 0.1, T = 110: warmup is linear, the decay a half cosine.
    let cosine = LearningRateSchedule.cosine(warmup: 10, final: 0.1)
    #expect(cosine.factor(step: 5, budget: 110) == 0.5)
    #expect(cosine.factor(step: 10, budget: 110) == 1)
    #expect(abs(cosine.factor(step: 60, budget: 110) - 0.55) < 1e-15)  // halfway: (1 + f) / 2
    #expect(
      abs(cosine.factor(step: 35, budget: 110) - (0.1 + 0.9 * (1 + 0.5.squareRoot()) / 2)) < 1e-15)
    #expect(abs(cosine.factor(step: 110, budget: 110) - 0.1) < 1e-15)
    // WSD, W = 4, d = 0.25, T = 100: D = 25, stable from 5 to 75, then linear to 0.
    let wsd = LearningRateSchedule.wsd(warmup: 4, decay: 0.25)
    #expect(wsd.factor(step: 1, budget: 100) == 0.25)
    #expect(wsd.factor(step: 4, budget: 100) == 1)
    #expect(wsd.factor(step: 75, budget: 100) == 1)
    #expect(wsd.factor(step: 80, budget: 100) == 0.8)
    #expect(wsd.factor(step: 100, budget: 100) == 0)
    // No warmup: the first step runs at the full rate.
    #expect(LearningRateSchedule.cosine(warmup: 0, final: 0).factor(step: 1, budget: 1000) > 0.99)
  }

  @Test func constantScheduleTrainsEachGroupOfBudgetsOnce() throws {
    let job = try Self.job()
    let runs = job.trainingRuns(of: Array(job.cells.indices))
    #expect(runs.count == job.cellCount / 2)
    for run in runs {
      #expect(job.cells[run.cell].stepsBudget == 400)
      #expect(run.derived.map { job.cells[$0].stepsBudget } == [100])
      #expect(
        job.cells[run.derived[0]].coordinates.with(stepsBudget: 400)
          == job.cells[run.cell].coordinates)
    }
    // Only pending cells are grouped; a schedule that depends on the budget trains each.
    #expect(job.trainingRuns(of: [0]) == [TrainingRun(cell: 0)])
    let cosine = try Self.job(training: #""lr": 1, "schedule": {"kind": "cosine", "warmup": 10}"#)
    #expect(cosine.trainingRuns(of: Array(cosine.cells.indices)).count == cosine.cellCount)
    #expect(cosine.recordedBudgets(of: cosine.cells[1]) == [400])
    #expect(job.recordedBudgets(of: job.cells[1]) == [100, 400])
  }

  @Test func metadataIsStoredButNotPartOfTheComparedJob() throws {
    let plain = try Self.job()
    let noted = try Self.job(top: #""notes": "first try", "tags": ["hard", "lazy-vs-rich"],"#)
    #expect(noted.notes == "first try" && noted.tags == ["hard", "lazy-vs-rich"])
    #expect(noted.normalizedJSON.contains(#""notes":"first try""#))
    #expect(try JobSpec.parse(noted.normalizedJSON, file: "n") == noted)
    #expect(noted.withoutMetadata == plain)
    #expect(plain.normalizedJSON.contains("notes") == false)
  }
}

extension Double {
  fileprivate var reciprocal: Double { 1 / self }
}
