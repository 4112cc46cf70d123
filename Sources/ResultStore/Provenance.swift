import Foundation
import SweepSpec

/// Where one rank of a run ran: stored per run under `/provenance/run-K`.
public struct RankProvenance: Sendable, Equatable {
  public var rank: Int
  public var host: String
  public var pid: Int
  public var cpuModel: String
  public var blasLibrary: String
  public var blasVersion: String
  public var blasKernel: String

  public init(
    rank: Int, host: String, pid: Int, cpuModel: String, blasLibrary: String,
    blasVersion: String, blasKernel: String
  ) {
    self.rank = rank
    self.host = host
    self.pid = pid
    self.cpuModel = cpuModel
    self.blasLibrary = blasLibrary
    self.blasVersion = blasVersion
    self.blasKernel = blasKernel
  }
}

/// One `run` (a fresh start or a `--resume`) that wrote into a results file.
/// `/cells/rank` names ranks of the run that trained the cell; a resumed file
/// holds one entry per run, in order.
public struct RunProvenance: Sendable, Equatable {
  /// 1 for the run that created the file, then one more per resume.
  public var run: Int
  public var started: String
  public var scalesweepVersion: String
  public var ranks: [RankProvenance]
}

/// `/provenance/run-K` string columns: name and meaning.
enum ProvenanceLayout {
  static let group = "provenance"
  static let textLength = 256
  static let textColumns:
    [(name: String, description: String, value: @Sendable (RankProvenance) -> String)] =
      [
        ("host", "host name of the rank (MPI processor name)", { $0.host }),
        ("cpu_model", "CPU brand string (CPUID)", { $0.cpuModel }),
        ("blas_library", "BLAS library", { $0.blasLibrary }),
        ("blas_version", "BLAS library version", { $0.blasVersion }),
        (
          "blas_kernel", "kernel table the BLAS library ran (openblas_get_corename)",
          { $0.blasKernel }
        ),
      ]
}

extension ResultsWriter {
  /// Appends this run's ranks as `/provenance/run-K` and flushes. Called once
  /// at start, before any cell is recorded.
  public func recordProvenance(_ ranks: [RankProvenance]) throws(ResultsError) {
    do {
      var run = 1
      while file.exists("\(ProvenanceLayout.group)/run-\(run)") { run += 1 }
      try Self.write(
        RunProvenance(
          run: run, started: ISO8601DateFormatter().string(from: Date()),
          scalesweepVersion: ScaleSweepVersion.current, ranks: ranks), into: file)
      try file.flush()
    } catch {
      throw .io(path: path, underlying: error)
    }
  }

  /// Writes `run` as `/provenance/run-K` of `file` (also used to carry every
  /// run over when a grown file replaces the old one).
  static func write(_ run: RunProvenance, into file: HDF5Object) throws(HDF5Error) {
    let group =
      file.exists(ProvenanceLayout.group)
      ? try file.openGroup(ProvenanceLayout.group) : try file.createGroup(ProvenanceLayout.group)
    let ranks = run.ranks
    let entry = try group.createGroup("run-\(run.run)")
    try entry.setAttribute("started", run.started)
    try entry.setAttribute("scalesweep_version", run.scalesweepVersion)
    let rankColumn = try entry.createDataset("rank", shape: [ranks.count], fill: Int64(-1))
    try rankColumn.write(ranks.map { Int64($0.rank) })
    try rankColumn.setAttribute("description", "MPI rank in this run (as in /cells/rank)")
    let pidColumn = try entry.createDataset("pid", shape: [ranks.count], fill: Int64(-1))
    try pidColumn.write(ranks.map { Int64($0.pid) })
    try pidColumn.setAttribute("description", "process id of the rank")
    for column in ProvenanceLayout.textColumns {
      let dataset = try entry.createStringDataset(
        column.name, count: ranks.count, length: ProvenanceLayout.textLength)
      try dataset.setAttribute("description", column.description)
      for (i, rank) in ranks.enumerated() {
        var text = column.value(rank)
        while text.utf8.count >= ProvenanceLayout.textLength { text.removeLast() }
        try dataset.writeString(text, at: i)
      }
    }
  }
}

extension ResultsFile {
  /// Every run's provenance, oldest first; empty for a file written before
  /// ScaleSweep recorded it.
  public static func provenance(path: String) throws(ResultsError) -> [RunProvenance] {
    let file: HDF5Object
    do {
      file = try HDF5Object.openFile(path, writable: false)
    } catch {
      throw .corrupt(path: path, detail: "HDF5 cannot open it")
    }
    guard file.exists(ProvenanceLayout.group) else { return [] }
    do {
      let group = try file.openGroup(ProvenanceLayout.group)
      var runs: [RunProvenance] = []
      var run = 1
      while group.exists("run-\(run)") {
        let entry = try group.openGroup("run-\(run)")
        let ranks = try entry.openDataset("rank").read(Int64.self)
        let pids = try entry.openDataset("pid").read(Int64.self)
        var text: [String: [String]] = [:]
        for column in ProvenanceLayout.textColumns {
          text[column.name] = try entry.openDataset(column.name).readStrings()
        }
        guard pids.count == ranks.count, text.values.allSatisfy({ $0.count == ranks.count })
        else {
          throw ResultsError.corrupt(
            path: path, detail: "/provenance/run-\(run) columns differ in length")
        }
        runs.append(
          RunProvenance(
            run: run, started: (try? entry.stringAttribute("started")) ?? "unknown",
            scalesweepVersion: (try? entry.stringAttribute("scalesweep_version")) ?? "unknown",
            ranks: ranks.indices.map { i in
              RankProvenance(
                rank: Int(ranks[i]), host: text["host"]![i], pid: Int(pids[i]),
                cpuModel: text["cpu_model"]![i], blasLibrary: text["blas_library"]![i],
                blasVersion: text["blas_version"]![i], blasKernel: text["blas_kernel"]![i])
            }))
        run += 1
      }
      return runs
    } catch let error as ResultsError {
      throw error
    } catch {
      throw .corrupt(path: path, detail: "/provenance: \(error)")
    }
  }
}
