import Foundation
import ResultStore
import SweepSpec
import Testing

@Suite struct ResultStoreTests {
  static let job = JobSpec(
    name: "store", model: .projectedFeatures(features: 64),
    tasks: [TaskSpec(alpha: 2, beta: 0.5)],
    grid: GridSpec(
      widths: [4, 8], data: [.online, .finite(10)], gammas: [0], seeds: [0], steps: [10, 100],
      learningRates: [.constant(0.5)], batches: [4]),
    training: TrainingSpec(recordPoints: 3))

  func temporaryPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).h5")
      .path
  }

  @Test func newFileHoldsEveryCellAsPending() throws {
    let path = temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    // A writer holds the file until released (readers in other processes may read it meanwhile).
    do {
      let writer = try ResultsWriter.create(path: path, job: Self.job)
      #expect(writer.statuses == Array(repeating: .pending, count: 8))
    }
    let file = try ResultsFile.read(path: path)
    #expect(file.job == Self.job)
    #expect(file.steps == [1, 3, 10, 100])  // union of both budgets' schedules
    #expect(file.cells.map(\.cell) == Self.job.cells)
    #expect(file.cells.allSatisfy { $0.rank == -1 && $0.seconds.isNaN && $0.error == nil })
    #expect(file.testLoss.allSatisfy { $0.allSatisfy(\.isNaN) })
    // No temporary file is left beside the output.
    let dir = (path as NSString).deletingLastPathComponent
    let name = (path as NSString).lastPathComponent
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir).filter {
        $0.hasPrefix(name + ".partial")
      }.isEmpty)
  }

  @Test func recordedCellsReadBackAtTheirStepColumns() throws {
    let path = temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
      let writer = try ResultsWriter.create(path: path, job: Self.job)
      let outcome = CellOutcome(
        status: .done, steps: [1, 10], trainLoss: [2, 1], testLoss: [3, 1.5], lossFloor: 0.25)
      try writer.record(cell: 2, outcome: outcome, seconds: 1.5, rank: 1)
      let failed = CellOutcome(
        status: .failed, steps: [1, 10], trainLoss: [.nan, .nan], testLoss: [.nan, .nan],
        message: String(repeating: "é", count: 300))
      try writer.record(cell: 5, outcome: failed, seconds: 0.1, rank: 0)
    }
    let file = try ResultsFile.read(path: path)
    #expect(
      file.cells[2].status == .done && file.cells[2].rank == 1 && file.cells[2].seconds == 1.5)
    #expect(file.cells[2].lossFloor == 0.25)
    #expect(file.testLoss[2][0] == 3 && file.testLoss[2][1].isNaN && file.testLoss[2][2] == 1.5)
    #expect(file.trainLoss[2][2] == 1)
    #expect(file.cells[5].status == .failed)
    // Messages are cut to whole characters within the fixed 256-byte field.
    let message = try #require(file.cells[5].error)
    #expect(message.utf8.count < 256 && message.allSatisfy { $0 == "é" })
  }

  @Test func resumeKeepsStatusesAndRefusesAnotherJob() throws {
    let path = temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
      let writer = try ResultsWriter.create(path: path, job: Self.job)
      try writer.record(
        cell: 0,
        outcome: CellOutcome(
          status: .diverged, steps: [1], trainLoss: [1], testLoss: [1], divergedStep: 7),
        seconds: 0, rank: 0)
    }
    do {
      let resumed = try ResultsWriter.resume(path: path, job: Self.job)
      #expect(resumed.statuses[0] == .diverged)
    }
    #expect(try ResultsFile.read(path: path).cells[0].divergedStep == 7)
    // A grown job (a seed added) is accepted: the finished cell keeps its record.
    var grown = Self.job
    grown.grid.seeds = [0, 1]
    do {
      let writer = try ResultsWriter.resume(path: path, job: grown)
      #expect(writer.statuses.count == 16)
      #expect(writer.statuses.filter { $0 != .pending }.count == 1)
    }
    let file = try ResultsFile.read(path: path)
    let kept = try #require(file.cells.first { $0.status == .diverged })
    #expect(kept.cell.coordinates == Self.job.cells[0].coordinates && kept.divergedStep == 7)
    // Another job (a width removed) is refused.
    var other = grown
    other.grid.widths = [8]
    #expect(throws: ResultsError.self) { try ResultsWriter.resume(path: path, job: other) }
    #expect(throws: ResultsError.outputExists(path: path)) {
      try ResultsWriter.create(path: path, job: Self.job)
    }
  }

  @Test func foreignFilesAreRefused() throws {
    let path = temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    try "plain text".write(toFile: path, atomically: true, encoding: .utf8)
    #expect(throws: ResultsError.notResults(path: path, reason: "not an HDF5 file, or truncated")) {
      try ResultsFile.read(path: path)
    }
    #expect(throws: ResultsError.missing(path: path + ".nope")) {
      try ResultsFile.read(path: path + ".nope")
    }
  }

  /// Each run appends its ranks' provenance; a file without any reads as [].
  @Test func provenanceIsAppendedPerRun() throws {
    let path = temporaryPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let first = [
      RankProvenance(
        rank: 0, host: "node-a", pid: 11, cpuModel: "CPU A", blasLibrary: "OpenBLAS",
        blasVersion: "0.3.21", blasKernel: "SkylakeX"),
      RankProvenance(
        rank: 1, host: "node-b", pid: 12, cpuModel: "CPU B", blasLibrary: "OpenBLAS",
        blasVersion: "0.3.21", blasKernel: "Haswell"),
    ]
    _ = try ResultsWriter.create(path: path, job: Self.job)
    #expect(try ResultsFile.provenance(path: path).isEmpty)
    do {
      let writer = try ResultsWriter.resume(path: path, job: Self.job)
      try writer.recordProvenance(first)
    }
    do {
      let writer = try ResultsWriter.resume(path: path, job: Self.job)
      try writer.recordProvenance([first[1]])
    }
    // A grown job (a seed added) rebuilds the file: every run's provenance is carried over.
    var grown = Self.job
    grown.grid.seeds = [0, 1]
    _ = try ResultsWriter.resume(path: path, job: grown)
    let runs = try ResultsFile.provenance(path: path)
    #expect(runs.map(\.run) == [1, 2])
    #expect(runs[0].ranks == first)
    #expect(runs[1].ranks == [first[1]])
    #expect(runs[0].scalesweepVersion == ScaleSweepVersion.current)
    _ = try ResultsFile.read(path: path)  // still a valid results file
  }
}
