import Foundation
import ResultStore
import Testing

/// The result of running a command.
struct CommandResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// Paths and processes the integration tests share.
enum Harness {
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The built `scalesweep`: `SCALESWEEP_BIN`, else the newest build in `.build`.
  static var binary: String {
    if let path = ProcessInfo.processInfo.environment["SCALESWEEP_BIN"] { return path }
    let candidates = ["release", "debug"].map {
      packageRoot.appendingPathComponent(".build/\($0)/scalesweep").path
    }
    let existing = candidates.filter { FileManager.default.fileExists(atPath: $0) }
    return existing.max {
      let a =
        (try? FileManager.default.attributesOfItem(atPath: $0)[.modificationDate] as? Date)
        ?? .distantPast
      let b =
        (try? FileManager.default.attributesOfItem(atPath: $1)[.modificationDate] as? Date)
        ?? .distantPast
      return a < b
    } ?? candidates[0]
  }

  /// The Python with h5py and xarray (`make python` creates it).
  static var python: String {
    ProcessInfo.processInfo.environment["SCALESWEEP_PYTHON"]
      ?? packageRoot.appendingPathComponent(".venv/bin/python").path
  }

  static func fixture(_ name: String) -> String {
    packageRoot.appendingPathComponent("Tests/IntegrationTests/Fixtures/\(name)").path
  }

  /// A fresh empty directory for one test.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("scalesweep-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Runs `executable` with `arguments`, waiting for it to end.
  @discardableResult
  static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:])
    throws -> CommandResult
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let outPipe = Pipe()
    let errPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes while the process runs so neither fills up.
    nonisolated(unsafe) var errData = Data()
    let errReader = Thread { errData = errPipe.fileHandleForReading.readDataToEndOfFile() }
    errReader.start()
    let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errReader.isFinished { usleep(1000) }
    return CommandResult(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }

  /// `scalesweep ARGS`, as one rank.
  @discardableResult
  static func scalesweep(_ arguments: [String]) throws -> CommandResult {
    try run(binary, arguments)
  }

  /// `mpirun -np R scalesweep ARGS`.
  @discardableResult
  static func mpirun(ranks: Int, _ arguments: [String]) throws -> CommandResult {
    let mpirun =
      ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first {
        FileManager.default.isExecutableFile(atPath: $0)
      } ?? "/usr/bin/mpirun"
    return try run(
      mpirun, ["--oversubscribe", "-np", String(ranks), binary] + arguments)
  }

  /// Runs `job` on each rank count (1 without mpirun) and reads the results back.
  static func resultsOnRankCounts(_ job: String, _ counts: [Int], in dir: URL) throws
    -> [ResultsFile]
  {
    try counts.map { ranks in
      let out = dir.appendingPathComponent("r\(ranks).h5").path
      let arguments = ["run", job, "--out", out, "--quiet"]
      let result = ranks == 1 ? try scalesweep(arguments) : try mpirun(ranks: ranks, arguments)
      #expect(result.status == 0, "\(ranks) ranks: \(result.stderr)")
      return try ResultsFile.read(path: out)
    }
  }

  /// Loss matrices as bit patterns, for exact comparison (NaN included).
  static func bits(_ m: [[Double]]) -> [[UInt64]] { m.map { $0.map(\.bitPattern) } }

  /// `tiny.json` on 2 ranks into `out`, with the given cells made to fail
  /// through the `SCALESWEEP_FAIL_CELLS` hook (exported to every rank).
  static func runTinyOnTwoRanks(out: String, failing cells: [Int]) throws -> CommandResult {
    try run(
      "/usr/bin/mpirun",
      [
        "--oversubscribe", "-np", "2", "-x", "SCALESWEEP_FAIL_CELLS", binary, "run",
        fixture("tiny.json"), "--out", out, "--quiet",
      ],
      environment: ["SCALESWEEP_FAIL_CELLS": cells.map(String.init).joined(separator: ",")])
  }
}

/// Numbers in a report that are not real quantities: below 1e-12 in
/// magnitude (but not 0) or above 1e12 (the issue's `5.039e-31`, `1.4e+37`).
enum ReportScan {
  /// Every such number in `text`, with a little context.
  static func extremeNumbers(in text: String) -> [String] {
    let pattern = try! NSRegularExpression(
      pattern: "[-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?")
    var found: [String] = []
    let ns = text as NSString
    for match in pattern.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
      let token = ns.substring(with: match.range)
      guard let value = Double(token), value != 0 else { continue }
      if abs(value) < 1e-12 || abs(value) > 1e12 {
        let start = max(0, match.range.location - 30)
        let length = min(ns.length - start, match.range.length + 60)
        found.append(ns.substring(with: NSRange(location: start, length: length)))
      }
    }
    return found
  }
}
