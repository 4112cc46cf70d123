import Foundation

extension ResultsFile {
  /// Stores a frontier analysis in the results file as the group `/frontier`
  /// (replacing an earlier one): attribute `report` holds the JSON report,
  /// `compute_measure` and `created` say how and when, and each CSV table is
  /// kept as a string attribute named after it.
  ///
  /// HDF5 does not give back the space of a deleted group, so replacing the
  /// group in place grew the file with every `--write`. The file is instead
  /// rewritten beside itself and renamed over the old one: the results with
  /// their stored checksums (damage is carried over, not laundered), every
  /// other root attribute and object as it was, and the new `/frontier`.
  /// The caller holds the file's ``ResultsFileLock``.
  public static func storeFrontier(
    path: String, reportJSON: String, computeMeasure: String, tables: [String: String]
  ) throws(ResultsError) {
    let results = try read(path: path)  // refuse foreign or damaged files before writing
    let temporary = "\(path).partial-\(ProcessInfo.processInfo.processIdentifier)"
    do {
      try {
        () throws(HDF5Error) in
        let source = try HDF5Object.openFile(path, writable: false)
        let file = try HDF5Object.createFile(temporary)
        try ResultsWriter.initialise(file: file, job: results.job)
        try file.setAttribute("created", results.created)
        try file.setAttribute("scalesweep_version", results.scalesweepVersion)
        try results.writeRows(into: file, storedChecksums: storedChecksums(source))
        try source.copyMissingAttributes(to: file)
        for name in try source.linkNames() where name != "frontier" && !file.exists(name) {
          try source.copy(name, to: file)
        }
        let group = try file.createGroup("frontier")
        try group.setAttribute("report", reportJSON)
        try group.setAttribute("compute_measure", computeMeasure)
        try group.setAttribute("created", ISO8601DateFormatter().string(from: Date()))
        for (name, text) in tables.sorted(by: { $0.key < $1.key }) {
          try group.setAttribute("table_\(name)", text)
        }
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
  }

  private static func storedChecksums(_ file: HDF5Object) throws(HDF5Error) -> [Int64]? {
    let cells = try file.openGroup("cells")
    return cells.exists("checksum") ? try cells.openDataset("checksum").read(Int64.self) : nil
  }

  /// Every cell's recorded columns and losses into a freshly initialised file.
  private func writeRows(into file: HDF5Object, storedChecksums: [Int64]?) throws(HDF5Error) {
    let group = try file.openGroup("cells")
    try group.openDataset("status").write(cells.map { $0.status.rawValue })
    try group.openDataset("seconds").write(cells.map(\.seconds))
    try group.openDataset("rank").write(cells.map { Int32(truncatingIfNeeded: $0.rank) })
    try group.openDataset("diverged_step").write(cells.map { Int64($0.divergedStep ?? -1) })
    try group.openDataset("loss_floor").write(cells.map(\.lossFloor))
    try group.openDataset("source_budget").write(cells.map { Int64($0.sourceBudget) })
    let errors = try group.openDataset("error")
    for record in cells where record.error != nil {
      try errors.writeString(record.error ?? "", at: record.cell.index)
    }
    // A file from before checksums gets them now, from its data as they are.
    let sums =
      storedChecksums
      ?? cells.map { record in
        record.status == .pending
          ? 0
          : CellChecksum(
            status: record.status.rawValue, seconds: record.seconds,
            rank: Int32(truncatingIfNeeded: record.rank),
            divergedStep: Int64(record.divergedStep ?? -1), lossFloor: record.lossFloor,
            sourceBudget: Int64(record.sourceBudget), error: record.error ?? "", testLoss: testLoss[record.cell.index],
            trainLoss: trainLoss[record.cell.index]
          ).stored
      }
    try group.openDataset("checksum").write(sums)
    let loss = try file.openGroup("loss")
    try loss.openDataset("test").write(testLoss.flatMap { $0 })
    try loss.openDataset("train").write(trainLoss.flatMap { $0 })
  }

  /// The JSON report stored by ``storeFrontier(path:reportJSON:computeMeasure:tables:)``, if any.
  public static func storedFrontier(path: String) throws(ResultsError) -> String? {
    _ = try read(path: path)
    do {
      let file = try HDF5Object.openFile(path, writable: false)
      guard file.exists("frontier") else { return nil }
      return try file.openGroup("frontier").stringAttribute("report")
    } catch {
      throw .io(path: path, underlying: error)
    }
  }
}

#if canImport(Glibc)
  import Glibc
#endif
