import Foundation
import SweepSpec

/// A results file read back whole: the job, every cell's record and its losses.
public struct ResultsFile: Sendable {
  public var path: String
  public var formatVersion: Int
  public var scalesweepVersion: String
  public var created: String
  /// The stored job as canonical JSON, and parsed.
  public var jobJSON: String
  public var job: JobSpec
  public var steps: [Int]
  public var cells: [CellRecord]
  /// `[cell][step column]`, NaN where not recorded.
  public var testLoss: [[Double]]
  public var trainLoss: [[Double]]
  /// Whether the file stores per-cell checksums (files from before do not).
  public var hasChecksums: Bool
  /// Finished cells whose stored data do not match their checksum, ascending.
  public var damagedCells: [Int]

  /// Reads and checks a results file; damaged or foreign files give a
  /// ``ResultsError`` naming what is wrong, never a crash.
  public static func read(path: String) throws(ResultsError) -> ResultsFile {
    guard FileManager.default.fileExists(atPath: path) else { throw .missing(path: path) }
    guard HDF5Object.isHDF5(path) else {
      throw .notResults(path: path, reason: "not an HDF5 file, or truncated")
    }
    let file: HDF5Object
    do {
      file = try HDF5Object.openFile(path, writable: false)
    } catch {
      throw .corrupt(path: path, detail: "HDF5 cannot open it")
    }
    guard file.hasAttribute("format"), (try? file.stringAttribute("format")) == ResultsLayout.format
    else {
      throw .notResults(path: path, reason: "no format = \"\(ResultsLayout.format)\" attribute")
    }
    guard let version = try? file.integerAttribute("format_version") else {
      throw .corrupt(path: path, detail: "format_version attribute missing")
    }
    guard version <= ResultsLayout.formatVersion else {
      throw .notResults(
        path: path,
        reason:
          "format version \(version) is newer than this ScaleSweep reads (\(ResultsLayout.formatVersion))"
      )
    }
    guard let jobJSON = try? file.stringAttribute("job") else {
      throw .corrupt(path: path, detail: "job attribute missing")
    }
    let job: JobSpec
    do {
      job = try JobSpec.parse(jobJSON, file: "\(path):job")
    } catch {
      throw .corrupt(path: path, detail: "stored job invalid: \(error)")
    }
    do {
      return try readContents(
        file: file, path: path, version: Int(version), jobJSON: jobJSON, job: job)
    } catch let error as ResultsError {
      throw error
    } catch {
      throw .corrupt(path: path, detail: "\(error)")
    }
  }

  private static func readContents(
    file: HDF5Object, path: String, version: Int, jobJSON: String, job: JobSpec
  ) throws -> ResultsFile {
    let count = job.cellCount
    let steps = try file.openDataset("steps").read(Int64.self).map { Int($0) }
    guard steps == job.recordedSteps else {
      throw ResultsError.corrupt(path: path, detail: "/steps does not match the stored job")
    }
    let group = try file.openGroup("cells")
    func ints(_ name: String) throws -> [Int] {
      let values = try group.openDataset(name).read(Int64.self).map { Int($0) }
      guard values.count == count else {
        throw ResultsError.corrupt(
          path: path, detail: "/cells/\(name) has \(values.count) entries, expected \(count)")
      }
      return values
    }
    func doubles(_ name: String) throws -> [Double] {
      let values = try group.openDataset(name).read(Double.self)
      guard values.count == count else {
        throw ResultsError.corrupt(
          path: path, detail: "/cells/\(name) has \(values.count) entries, expected \(count)")
      }
      return values
    }
    let status = try ints("status")
    let seconds = try doubles("seconds")
    let rank = try ints("rank")
    let flops = try doubles("flops_per_step")
    let diverged = try ints("diverged_step")
    let floor = try doubles("loss_floor")
    let errors = try group.openDataset("error").readStrings()
    guard errors.count == count else {
      throw ResultsError.corrupt(
        path: path, detail: "/cells/error has \(errors.count) entries, expected \(count)")
    }
    let expected = job.cells
    // Files written before the rate and batch axes lack their columns: the job says.
    let lrs = group.exists("lr") ? try doubles("lr") : expected.map(\.learningRate)
    let batches = group.exists("batch") ? try ints("batch") : expected.map(\.batch)
    let sources =
      group.exists("source_budget")
      ? try ints("source_budget")
      : zip(status, expected).map { $0 == 0 ? 0 : $1.stepsBudget }
    let coordinates = (
      task: try ints("task"), width: try ints("width"), data: try ints("data"),
      gamma: try doubles("gamma"), seed: try ints("seed"), budget: try ints("steps_budget")
    )
    var records: [CellRecord] = []
    records.reserveCapacity(count)
    for i in 0..<count {
      let cell = Cell(
        index: i, task: coordinates.task[i], width: coordinates.width[i],
        data: DataSize(code: coordinates.data[i]), gamma: coordinates.gamma[i],
        learningRate: lrs[i], batch: batches[i], seed: coordinates.seed[i],
        stepsBudget: coordinates.budget[i])
      guard cell == expected[i] else {
        throw ResultsError.corrupt(
          path: path, detail: "/cells row \(i) does not match the stored job")
      }
      guard let s = CellStatus(rawValue: Int32(truncatingIfNeeded: status[i])) else {
        throw ResultsError.corrupt(
          path: path, detail: "/cells/status[\(i)] = \(status[i]) is not a status")
      }
      records.append(
        CellRecord(
          cell: cell, status: s, flopsPerStep: flops[i], seconds: seconds[i], rank: rank[i],
          divergedStep: diverged[i] >= 0 ? diverged[i] : nil, lossFloor: floor[i],
          error: errors[i].isEmpty ? nil : errors[i], sourceBudget: sources[i]))
    }
    let lossGroup = try file.openGroup("loss")
    func matrix(_ name: String) throws -> [[Double]] {
      let dataset = try lossGroup.openDataset(name)
      guard try dataset.shape() == [count, steps.count] else {
        throw ResultsError.corrupt(path: path, detail: "/loss/\(name) has the wrong shape")
      }
      let flat = try dataset.read(Double.self)
      return (0..<count).map { Array(flat[($0 * steps.count)..<(($0 + 1) * steps.count)]) }
    }
    let testLoss = try matrix("test")
    let trainLoss = try matrix("train")
    let hasChecksums = group.exists("checksum")
    var damaged: [Int] = []
    if hasChecksums {
      let stored = try group.openDataset("checksum").read(Int64.self)
      guard stored.count == count else {
        throw ResultsError.corrupt(
          path: path, detail: "/cells/checksum has \(stored.count) entries, expected \(count)")
      }
      for i in 0..<count where records[i].status != .pending {
        let sum = CellChecksum(
          status: Int32(truncatingIfNeeded: status[i]), seconds: seconds[i],
          rank: Int32(truncatingIfNeeded: rank[i]), divergedStep: Int64(diverged[i]),
          lossFloor: floor[i], sourceBudget: Int64(sources[i]), error: errors[i],
          testLoss: testLoss[i], trainLoss: trainLoss[i])
        if sum.stored != stored[i] { damaged.append(i) }
      }
    }
    return ResultsFile(
      path: path, formatVersion: version,
      scalesweepVersion: (try? file.stringAttribute("scalesweep_version")) ?? "unknown",
      created: (try? file.stringAttribute("created")) ?? "unknown",
      jobJSON: jobJSON, job: job, steps: steps, cells: records,
      testLoss: testLoss, trainLoss: trainLoss, hasChecksums: hasChecksums, damagedCells: damaged)
  }
}
