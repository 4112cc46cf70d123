import Foundation
import SweepSpec

/// Writes a results file as cells finish. One process (rank 0) owns it.
///
/// Every dataset is contiguous and allocated when the file is created, so
/// recording a cell writes raw data only and never changes HDF5 metadata; a
/// cell's losses are flushed before its status, so a killed writer leaves a
/// readable file in which every cell marked finished is complete.
public final class ResultsWriter: CellRecorder {
  public let path: String
  public let job: JobSpec
  let file: HDF5Object
  private let cells: HDF5Object
  private let loss: HDF5Object
  /// Held while the writer lives: no other process writes this path.
  private let lock: ResultsFileLock
  /// Column of `/steps` for each recorded step count.
  private let stepColumn: [Int: Int]
  private let stepCount: Int
  /// Step budget of every cell, by index.
  private let cellBudgets: [Int]
  /// Files written before checksums existed are continued without them.
  private let hasChecksums: Bool
  /// Status of every cell, kept in step with the file.
  public private(set) var statuses: [CellStatus]
  /// Cells a resumed file had finished whose data no longer matched their
  /// checksum: marked pending again, so this run trains them anew.
  public private(set) var damagedCells: [Int] = []
  /// Failed cells made pending again by `retryFailed`.
  public private(set) var retriedCells: [Int] = []

  private init(
    path: String, job: JobSpec, file: HDF5Object, lock: ResultsFileLock, statuses: [CellStatus]
  ) throws(HDF5Error) {
    self.path = path
    self.job = job
    self.file = file
    self.lock = lock
    self.cells = try file.openGroup("cells")
    self.loss = try file.openGroup("loss")
    hasChecksums = cells.exists("checksum")
    let steps = job.recordedSteps
    stepCount = steps.count
    cellBudgets = job.cells.map(\.stepsBudget)
    stepColumn = Dictionary(uniqueKeysWithValues: steps.enumerated().map { ($1, $0) })
    self.statuses = statuses
  }

  /// Creates a new results file holding every cell of `job` as pending.
  ///
  /// Takes the file's lock first (a live run on `path` refuses this one) and
  /// removes partial files left by dead processes. The file is built under a
  /// temporary name beside `path` and renamed into place when complete, so
  /// `path` never names a half-made file. An existing `path` is refused
  /// unless `overwrite`, and even then only a regular file is replaced, never
  /// one of `protecting` (the job file).
  public static func create(
    path: String, job: JobSpec, overwrite: Bool = false, protecting: [String] = []
  ) throws(ResultsError) -> ResultsWriter {
    try OutputTarget.check(path, protecting: protecting)
    let lock = try ResultsFileLock.acquire(for: path)
    lock.removeStalePartialFiles()
    if !overwrite && OutputTarget.exists(path) {
      throw .outputExists(path: path)
    }
    let temporary = "\(path).partial-\(ProcessInfo.processInfo.processIdentifier)"
    do {
      // The handle is closed (end of this block) before any removal or rename.
      try {
        () throws(HDF5Error) in
        let file = try HDF5Object.createFile(temporary)
        try initialise(file: file, job: job)
        try file.flush()
      }()
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw .io(path: path, underlying: error)
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: temporary)
      throw .io(
        path: path, underlying: HDF5Error(operation: "move into place (\(reason))", object: path))
    }
    do {
      let file = try HDF5Object.openFile(path, writable: true)
      return try ResultsWriter(
        path: path, job: job, file: file, lock: lock,
        statuses: Array(repeating: .pending, count: job.cellCount))
    } catch {
      throw .io(path: path, underlying: error)
    }
  }

  /// Opens an existing results file to continue it with `job`: the stored job
  /// itself (notes and tags aside), or a grown one (``JobSpec/growth(from:)``).
  ///
  /// A grown file is built beside `path` with every finished cell copied, bit
  /// for bit, to its row in the grown job, then renamed over `path`; a kill at
  /// any moment leaves either the old file or the grown one, each valid.
  ///
  /// Takes the file's lock first. Cells whose data fail their checksum are
  /// marked pending again (and not carried into a grown file); with
  /// `retryFailed` the failed cells too.
  public static func resume(path: String, job: JobSpec, retryFailed: Bool = false)
    throws(ResultsError) -> ResultsWriter
  {
    try OutputTarget.checkExisting(path)
    let lock = try ResultsFileLock.acquire(for: path)
    lock.removeStalePartialFiles()
    var existing = try ResultsFile.read(path: path)
    guard existing.formatVersion == Int(ResultsLayout.formatVersion) else {
      throw .streamMismatch(
        path: path, fileVersion: existing.formatVersion,
        fileStream: ResultsLayout.versionMeaning[existing.formatVersion] ?? "another stream",
        currentStream: ResultsLayout.versionMeaning[Int(ResultsLayout.formatVersion)]!)
    }
    if existing.job.withoutMetadata.normalizedJSON != job.withoutMetadata.normalizedJSON {
      let growth: JobGrowth
      do {
        growth = try job.growth(from: existing.job)
      } catch {
        throw .jobMismatch(path: path, detail: error.description)
      }
      try grow(existing, into: job, growth: growth)
      existing = try ResultsFile.read(path: path)
    }
    var statuses = existing.cells.map(\.status)
    let damaged = existing.damagedCells
    for index in damaged { statuses[index] = .pending }
    let retried = retryFailed ? statuses.indices.filter { statuses[$0] == .failed } : []
    for index in retried { statuses[index] = .pending }
    do {
      let file = try HDF5Object.openFile(path, writable: true)
      let writer = try ResultsWriter(
        path: path, job: job, file: file, lock: lock, statuses: statuses)
      if !damaged.isEmpty {
        // Damaged data must not be read as finished, whether or not this run
        // gets to train those cells again.
        let status = try writer.cells.openDataset("status")
        for index in damaged {
          try status.write([CellStatus.pending.rawValue], start: [index], count: [1])
        }
        try file.flush()
      }
      writer.damagedCells = damaged
      writer.retriedCells = retried
      return writer
    } catch {
      throw .io(path: path, underlying: error)
    }
  }

  /// Writes the grown file under a temporary name and renames it over `path`.
  private static func grow(_ old: ResultsFile, into job: JobSpec, growth: JobGrowth)
    throws(ResultsError)
  {
    let path = old.path
    let temporary = "\(path).partial-\(ProcessInfo.processInfo.processIdentifier)"
    let provenance = try ResultsFile.provenance(path: path)
    do {
      try {
        () throws(HDF5Error) in
        let file = try HDF5Object.createFile(temporary)
        try initialise(file: file, job: job)
        try copyFinished(old, growth: growth, into: file, job: job)
        for run in provenance { try write(run, into: file) }
        try file.flush()
      }()
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw .io(path: path, underlying: error)
    }
    if ProcessInfo.processInfo.environment["SCALESWEEP_TEST_PAUSE_BEFORE_GROWTH_RENAME"] != nil {
      // Test hook: the kill -9 torture stops the process here, between the
      // complete grown file and its rename.
      Thread.sleep(forTimeInterval: 30)
    }
    guard rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: temporary)
      throw .io(
        path: path, underlying: HDF5Error(operation: "move into place (\(reason))", object: path))
    }
  }

  /// Every finished cell of `old` into its row of the grown file, whole
  /// columns at once, with checksums over the grown rows (a damaged cell is
  /// not carried over: it stays pending and is trained again).
  private static func copyFinished(
    _ old: ResultsFile, growth: JobGrowth, into file: HDF5Object, job: JobSpec
  ) throws(HDF5Error) {
    let count = job.cellCount
    let steps = job.recordedSteps
    let column = Dictionary(uniqueKeysWithValues: steps.enumerated().map { ($1, $0) })
    var status = [Int32](repeating: 0, count: count)
    var seconds = [Double](repeating: .nan, count: count)
    var rank = [Int32](repeating: -1, count: count)
    var diverged = [Int64](repeating: -1, count: count)
    var floor = [Double](repeating: .nan, count: count)
    var source = [Int64](repeating: 0, count: count)
    var test = [Double](repeating: .nan, count: count * steps.count)
    var train = test
    var errors: [(Int, String)] = []
    var sums = [Int64](repeating: 0, count: count)
    let damaged = Set(old.damagedCells)
    for (oldIndex, record) in old.cells.enumerated()
    where record.status != .pending && !damaged.contains(oldIndex) {
      let i = growth.grownIndex[oldIndex]
      status[i] = record.status.rawValue
      seconds[i] = record.seconds
      rank[i] = Int32(record.rank)
      diverged[i] = Int64(record.divergedStep ?? -1)
      floor[i] = record.lossFloor
      source[i] = Int64(record.sourceBudget)
      for (j, step) in old.steps.enumerated() {
        guard let c = column[step] else { continue }
        test[i * steps.count + c] = old.testLoss[oldIndex][j]
        train[i * steps.count + c] = old.trainLoss[oldIndex][j]
      }
      if let message = record.error { errors.append((i, message)) }
      sums[i] =
        CellChecksum(
          status: status[i], seconds: seconds[i], rank: rank[i], divergedStep: diverged[i],
          lossFloor: floor[i], sourceBudget: source[i], error: record.error ?? "",
          testLoss: Array(test[(i * steps.count)..<((i + 1) * steps.count)]),
          trainLoss: Array(train[(i * steps.count)..<((i + 1) * steps.count)])
        ).stored
    }
    let cells = try file.openGroup("cells")
    try cells.openDataset("seconds").write(seconds)
    try cells.openDataset("rank").write(rank)
    try cells.openDataset("diverged_step").write(diverged)
    try cells.openDataset("loss_floor").write(floor)
    try cells.openDataset("source_budget").write(source)
    for (i, message) in errors { try cells.openDataset("error").writeString(message, at: i) }
    try cells.openDataset("checksum").write(sums)
    let loss = try file.openGroup("loss")
    try loss.openDataset("test").write(test)
    try loss.openDataset("train").write(train)
    try cells.openDataset("status").write(status)
  }

  static func initialise(file: HDF5Object, job: JobSpec) throws(HDF5Error) {
    let cellList = job.cells
    let count = cellList.count
    let steps = job.recordedSteps

    try file.setAttribute("format", ResultsLayout.format)
    try file.setAttribute("format_version", ResultsLayout.formatVersion)
    try file.setAttribute("job", job.normalizedJSON)
    try file.setAttribute("scalesweep_version", ScaleSweepVersion.current)
    try file.setAttribute("created", ISO8601DateFormatter().string(from: Date()))
    try file.setAttribute("model", job.model.kind)

    let cellScale = try file.createDataset("cell", shape: [count], fill: Int64(0))
    try cellScale.write((0..<count).map { Int64($0) })
    try cellScale.makeDimensionScale("cell")
    try cellScale.setAttribute("description", "cell index in the job's canonical order")
    let stepScale = try file.createDataset("steps", shape: [steps.count], fill: Int64(0))
    try stepScale.write(steps.map { Int64($0) })
    try stepScale.makeDimensionScale("step")
    try stepScale.setAttribute("description", "SGD steps at which losses were recorded")
    try stepScale.setAttribute("units", "steps")

    let group = try file.createGroup("cells")
    let costs = cellList.map { job.cost(of: $0) }
    for column in ResultsLayout.cellColumns {
      let dataset: HDF5Object
      switch column.name {
      case "task": dataset = try intColumn(group, column.name, cellList.map { $0.task })
      case "width": dataset = try intColumn(group, column.name, cellList.map { $0.width })
      case "data": dataset = try intColumn(group, column.name, cellList.map { $0.data.code })
      case "gamma": dataset = try doubleColumn(group, column.name, cellList.map { $0.gamma })
      case "lr": dataset = try doubleColumn(group, column.name, cellList.map { $0.learningRate })
      case "batch": dataset = try intColumn(group, column.name, cellList.map { $0.batch })
      case "source_budget":
        dataset = try group.createDataset(column.name, shape: [count], fill: Int64(0))
      case "seed": dataset = try intColumn(group, column.name, cellList.map { $0.seed })
      case "steps_budget":
        dataset = try intColumn(group, column.name, cellList.map { $0.stepsBudget })
      case "status": dataset = try group.createDataset(column.name, shape: [count], fill: Int32(0))
      case "flops_per_step":
        dataset = try doubleColumn(group, column.name, costs.map(\.flopsPerStep))
      case "seconds":
        dataset = try group.createDataset(column.name, shape: [count], fill: Double.nan)
      case "rank": dataset = try group.createDataset(column.name, shape: [count], fill: Int32(-1))
      case "diverged_step":
        dataset = try group.createDataset(column.name, shape: [count], fill: Int64(-1))
      case "checksum":
        dataset = try group.createDataset(column.name, shape: [count], fill: Int64(0))
      default: dataset = try group.createDataset(column.name, shape: [count], fill: Double.nan)
      }
      try dataset.setAttribute("description", column.description)
      if let units = column.units { try dataset.setAttribute("units", units) }
      try dataset.attach(scale: cellScale, dimension: 0)
    }

    let errors = try group.createStringDataset(
      "error", count: count, length: ResultsLayout.errorLength)
    try errors.setAttribute("description", "why a failed cell failed (empty otherwise)")
    try errors.attach(scale: cellScale, dimension: 0)

    let lossGroup = try file.createGroup("loss")
    for (name, meaning) in [
      ("test", "population (test) loss; NaN where not recorded"),
      (
        "train",
        "training loss (online: mean batch loss since the previous record); NaN where not recorded"
      ),
    ] {
      let dataset = try lossGroup.createDataset(
        name, shape: [count, steps.count], fill: Double.nan)
      try dataset.setAttribute("description", meaning)
      try dataset.attach(scale: cellScale, dimension: 0)
      try dataset.attach(scale: stepScale, dimension: 1)
    }
  }

  private static func intColumn(_ group: HDF5Object, _ name: String, _ values: [Int])
    throws(HDF5Error)
    -> HDF5Object
  {
    let dataset = try group.createDataset(name, shape: [values.count], fill: Int64(0))
    try dataset.write(values.map { Int64($0) })
    return dataset
  }

  private static func doubleColumn(_ group: HDF5Object, _ name: String, _ values: [Double])
    throws(HDF5Error)
    -> HDF5Object
  {
    let dataset = try group.createDataset(name, shape: [values.count], fill: Double.nan)
    try dataset.write(values)
    return dataset
  }

  /// Stores a finished cell and flushes: losses, the other columns and the
  /// checksum of them all first, then its status. `sourceBudget` is the budget of the training run that produced the curve
  /// (nil: the cell's own).
  public func record(
    cell index: Int, outcome: CellOutcome, seconds: Double, rank: Int, sourceBudget: Int? = nil
  )
    throws(ResultsError)
  {
    do {
      var test = [Double](repeating: .nan, count: stepCount)
      var train = test
      for (i, step) in outcome.steps.enumerated() {
        guard let column = stepColumn[step] else { continue }
        if i < outcome.testLoss.count { test[column] = outcome.testLoss[i] }
        if i < outcome.trainLoss.count { train[column] = outcome.trainLoss[i] }
      }
      var message = outcome.message ?? ""
      while message.utf8.count >= ResultsLayout.errorLength { message.removeLast() }
      let source = Int64(sourceBudget ?? cellBudgets[index])
      let checksum = CellChecksum(
        status: outcome.status.rawValue, seconds: seconds, rank: Int32(rank),
        divergedStep: Int64(outcome.divergedStep ?? -1), lossFloor: outcome.lossFloor,
        sourceBudget: source, error: message, testLoss: test, trainLoss: train)
      try loss.openDataset("test").write(test, start: [index, 0], count: [1, stepCount])
      try loss.openDataset("train").write(train, start: [index, 0], count: [1, stepCount])
      try cells.openDataset("seconds").write([seconds], start: [index], count: [1])
      try cells.openDataset("rank").write([Int32(rank)], start: [index], count: [1])
      try cells.openDataset("diverged_step").write(
        [Int64(outcome.divergedStep ?? -1)], start: [index], count: [1])
      try cells.openDataset("loss_floor").write([outcome.lossFloor], start: [index], count: [1])
      try cells.openDataset("source_budget").write([source], start: [index], count: [1])
      if let flops = outcome.flopsPerStep {
        try cells.openDataset("flops_per_step").write([flops], start: [index], count: [1])
      }
      // Always written: a retried cell that now succeeds clears its old error.
      try cells.openDataset("error").writeString(message, at: index)
      if hasChecksums {
        try cells.openDataset("checksum").write([checksum.stored], start: [index], count: [1])
      }
      try file.flush()
      try cells.openDataset("status").write([outcome.status.rawValue], start: [index], count: [1])
      try file.flush()
      statuses[index] = outcome.status
    } catch {
      throw .io(path: path, underlying: error)
    }
  }
}

#if canImport(Glibc)
  import Glibc
#endif
