import Foundation
import SweepSpec
import Testing

/// Which edits grow a job and which change what its finished cells mean.
@Suite struct JobGrowthTests {
  static func job(_ grid: String, lr: String = #"{"0": 0.5}"#, extra: String = "") throws
    -> JobSpec
  {
    try JobSpec.parse(
      """
      {"name": "g", "model": {"kind": "projected-features", "features": 512},
       "task": {"alpha": 2, "beta": 0.5}, "grid": {\(grid)},
       "training": {"lr": \(lr), "record_points": 8 \(extra)}}
      """, file: "g.json")
  }

  @Test func addedAxisValuesKeepEveryStoredCell() throws {
    let stored = try Self.job(#""width": [16, 32], "steps": [100]"#)
    let grown = try Self.job(
      #""width": [8, 16, 32], "gamma": [0, 1], "seeds": 2, "steps": [100, 50]"#,
      lr: #"{"0": 0.5, "1": 0.05}"#)
    let growth = try grown.growth(from: stored)
    #expect(growth.grownIndex.count == 2)
    for (i, cell) in stored.cells.enumerated() {
      #expect(grown.cells[growth.grownIndex[i]].coordinates == cell.coordinates)
    }
    #expect(growth.addedCells.count == grown.cellCount - 2)
    // A second learning rate on the axis: the stored rate stays one of its values.
    let lrAxis = try JobSpec.parse(
      stored.normalizedJSON.replacingOccurrences(
        of: #""lr":{"0.0":0.5},"#, with: ""
      ).replacingOccurrences(
        of: #""steps":[100]"#, with: #""lr":[0.5,0.25],"steps":[100]"#), file: "x")
    #expect(try lrAxis.growth(from: stored).addedCells.count == 2)
    #expect(try stored.growth(from: stored).isEmpty)
  }

  @Test func meaningChangingEditsAreRefusedByKey() throws {
    let stored = try Self.job(#""width": [16, 32], "steps": [100]"#)
    func refusal(_ given: JobSpec) -> String {
      do {
        _ = try given.growth(from: stored)
        return "accepted"
      } catch {
        return error.description
      }
    }
    #expect(
      refusal(try Self.job(#""width": [32], "steps": [100]"#))
        == "grid.width: stored [16,32], given [32]: removes 16, which finished cells use")
    #expect(
      refusal(try Self.job(#""width": [16, 32], "steps": [100]"#, lr: #"{"0": 0.4}"#))
        .hasPrefix("training.lr: stored {\"0.0\":0.5}"))
    #expect(
      refusal(try Self.job(#""width": [16, 32], "steps": [100]"#, extra: #", "batch": 8"#))
        .hasPrefix("grid.batch: stored [32], given [8]"))
    #expect(
      refusal(
        try Self.job(
          #""width": [16, 32], "steps": [100]"#, extra: #", "schedule": {"kind": "wsd"}"#)
      )
      .hasPrefix("training.schedule: stored (absent)"))
    var model = stored
    model.model = .projectedFeatures(features: 1024)
    #expect(
      refusal(model)
        == "model.features: stored 512, given 1024: changes the meaning of finished cells")
    var noted = stored
    noted.notes = "metadata is not compared"
    #expect(refusal(noted) == "accepted")
  }
}
