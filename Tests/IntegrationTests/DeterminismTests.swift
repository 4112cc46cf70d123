import Foundation
import ResultStore
import SweepSpec
import Testing

/// A cell's result depends only on the job and the cell, never on which rank
/// ran it or how many ranks there were.
@Suite struct DeterminismTests {
  @Test func sameBitsOnOneTwoAndThreeRanks() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let job = Harness.fixture("tiny.json")
    let files = try Harness.resultsOnRankCounts(job, [1, 2, 3], in: dir)
    let reference = files[0]
    #expect(reference.cells.count == 64)
    #expect(reference.cells.allSatisfy { $0.status == .done })
    for other in files.dropFirst() {
      #expect(other.jobJSON == reference.jobJSON)
      #expect(other.steps == reference.steps)
      for (a, b) in zip(reference.cells, other.cells) {
        #expect(a.cell == b.cell)
        #expect(a.status == b.status)
        #expect(a.flopsPerStep == b.flopsPerStep)
        #expect(a.divergedStep == b.divergedStep)
        #expect(a.lossFloor.bitPattern == b.lossFloor.bitPattern)
      }
      #expect(Harness.bits(other.testLoss) == Harness.bits(reference.testLoss))
      #expect(Harness.bits(other.trainLoss) == Harness.bits(reference.trainLoss))
    }
    // More than one rank really trained cells in the multi-rank runs.
    #expect(Set(files[2].cells.map(\.rank)).count > 1)
  }

  @Test func moreRanksThanCells() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let jobPath = dir.appendingPathComponent("two.json").path
    try """
    {"name": "two", "model": {"kind": "projected-features", "features": 64},
     "task": {"alpha": 2, "beta": 0.5},
     "grid": {"width": [8], "seeds": 2, "steps": [50]}, "training": {"lr": 0.5}}
    """.write(toFile: jobPath, atomically: true, encoding: .utf8)
    let out = dir.appendingPathComponent("two.h5").path
    let result = try Harness.mpirun(ranks: 4, ["run", jobPath, "--out", out, "--quiet"])
    #expect(result.status == 0, "\(result.stderr)")
    let file = try ResultsFile.read(path: out)
    #expect(file.cells.map(\.status) == [.done, .done])
  }

}
