import Foundation
import ResultStore
import SweepSpec
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// An mpirun started in the background, with its ranks (its children) found by parent pid.
final class Launched {
  let process = Process()
  let log: URL

  init(_ arguments: [String], log: URL, environment extra: [String: String] = [:]) throws {
    self.log = log
    FileManager.default.createFile(atPath: log.path, contents: nil)
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    var env = ProcessInfo.processInfo.environment
    env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
    env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    env.merge(extra) { _, new in new }
    process.environment = env
    let handle = try FileHandle(forWritingTo: log)
    process.standardOutput = handle
    process.standardError = handle
    process.standardInput = FileHandle.nullDevice
    try process.run()
  }

  var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

  /// The ranks: mpirun's child processes (each in a process group of its own).
  var ranks: [Int32] {
    let result = try? Harness.run("/usr/bin/pgrep", ["-P", String(process.processIdentifier)])
    return (result?.stdout ?? "").split(separator: "\n").compactMap { Int32($0) }
  }

  /// kill -9 of the whole run: every rank and mpirun at once.
  func killAll() {
    let members = ranks
    kill(process.processIdentifier, SIGKILL)
    for pid in members { kill(pid, SIGKILL) }
    waitForEnd(of: members)
  }

  /// Waits for mpirun and the given ranks to be gone.
  func waitForEnd(of members: [Int32]) {
    process.waitUntilExit()
    for _ in 0..<1000 where members.contains(where: { kill($0, 0) == 0 }) { usleep(10_000) }
  }
}

/// Results are never lost: graceful stops and kill -9 at random moments both
/// resume to a file equal, bit for bit, to an uninterrupted run.
@Suite(.serialized) struct ResumeTests {
  static let job = Harness.fixture("resumable.json")

  static func reference(in dir: URL, job: String = job) throws -> ResultsFile {
    let out = dir.appendingPathComponent("reference.h5").path
    let result = try Harness.scalesweep(["run", job, "--out", out, "--quiet"])
    #expect(result.status == 0, "\(result.stderr)")
    return try ResultsFile.read(path: out)
  }

  static func expectSameResults(_ a: ResultsFile, _ b: ResultsFile) {
    #expect(a.jobJSON == b.jobJSON)
    #expect(a.cells.map(\.cell) == b.cells.map(\.cell))
    #expect(a.cells.map(\.status) == b.cells.map(\.status))
    #expect(a.cells.map(\.divergedStep) == b.cells.map(\.divergedStep))
    #expect(a.cells.map(\.lossFloor.bitPattern) == b.cells.map(\.lossFloor.bitPattern))
    #expect(a.cells.map(\.flopsPerStep) == b.cells.map(\.flopsPerStep))
    #expect(a.testLoss.map { $0.map(\.bitPattern) } == b.testLoss.map { $0.map(\.bitPattern) })
    #expect(a.trainLoss.map { $0.map(\.bitPattern) } == b.trainLoss.map { $0.map(\.bitPattern) })
  }

  static func mpirunArguments(ranks: Int, out: String, job: String = job, extra: [String] = [])
    -> [String]
  {
    [
      "/usr/bin/mpirun", "--oversubscribe", "-np", String(ranks), Harness.binary, "run", job,
      "--out", out, "--resume", "--progress-interval", "0.2",
    ] + extra
  }

  @Test func gracefulStopOnSIGUSR1ResumesToTheSameFile() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let slow = Harness.fixture("slow.json")
    let reference = try Self.reference(in: dir, job: slow)
    let out = dir.appendingPathComponent("stopped.h5").path
    let run = try Launched(
      Self.mpirunArguments(ranks: 2, out: out, job: slow, extra: ["--grace", "0"]),
      log: dir.appendingPathComponent("log"))
    // Wait for the first finished cell, then ask every rank to stop.
    for _ in 0..<1000 where !run.output.contains("progress: ") { usleep(10_000) }
    let ranks = run.ranks
    #expect(ranks.count == 2)
    for pid in ranks { kill(pid, SIGUSR1) }
    let start = Date()
    run.waitForEnd(of: ranks)
    #expect(Date().timeIntervalSince(start) < 10, "ranks did not stop promptly")
    #expect(run.process.terminationStatus == 75, "\(run.output)")
    #expect(run.output.contains("resume with: scalesweep run"))
    let partial = try ResultsFile.read(path: out)
    let pending = partial.cells.filter { $0.status == .pending }.count
    #expect(pending > 0 && pending < partial.cells.count)
    let resumed = try Harness.mpirun(ranks: 2, ["run", slow, "--out", out, "--resume", "--quiet"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    Self.expectSameResults(reference, try ResultsFile.read(path: out))
  }

  /// The concurrent-writer round: while a run writes `out`, a run with
  /// `--force` (another job), one with `--resume` and a fresh one are refused.
  static func expectEveryOtherWriterRefused(out: String) {
    for arguments in [
      ["run", Harness.fixture("tiny.json"), "--out", out, "--force"],
      ["run", job, "--out", out, "--resume"], ["run", job, "--out", out],
    ] {
      let result = try? Harness.scalesweep(arguments + ["--quiet"])
      #expect(result?.status == 2, "\(arguments): \(result?.stderr ?? "")")
      #expect(result?.stderr.contains("in use: a run is in progress") == true)
    }
  }

  /// kill -9 of the whole mpirun, or of one rank, at random moments, ten
  /// times; in the first mid-run attempt every other writer is refused
  /// (``expectEveryOtherWriterRefused(out:)``) before the kill.
  ///
  /// Kill moments are tied to what the run has done, not to wall-clock guesses,
  /// so the test means the same on a fast or a loaded machine: even attempts
  /// die at a random moment of start-up (file creation, job compare, first
  /// cells), odd attempts a random moment after the attempt's first finished
  /// cell, i.e. with cells in progress.
  @Test func killNineTortureResumesToTheSameFile() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let reference = try Self.reference(in: dir)
    let out = dir.appendingPathComponent("tortured.h5").path
    var generator = SystemRandomNumberGenerator()
    var kills = 0
    var midRunKills = 0
    for attempt in 0..<10 {
      let run = try Launched(
        Self.mpirunArguments(ranks: 2, out: out), log: dir.appendingPathComponent("log\(attempt)"))
      if attempt % 2 == 0 {
        usleep(UInt32.random(in: 50_000...600_000, using: &generator))
      } else {
        for _ in 0..<2000 where run.process.isRunning && !run.output.contains("progress: ") {
          usleep(5_000)
        }
        usleep(UInt32.random(in: 0...150_000, using: &generator))
      }
      if attempt == 1 && run.process.isRunning {
        // Frozen, the run stays live (and holds its lock) through every check,
        // however fast it would otherwise finish on a quiet machine.
        let frozen = run.ranks
        for pid in frozen { kill(pid, SIGSTOP) }
        if !frozen.isEmpty && frozen.allSatisfy({ kill($0, 0) == 0 }) {
          Self.expectEveryOtherWriterRefused(out: out)
        }
        for pid in frozen { kill(pid, SIGCONT) }
      }
      let ranks = run.ranks
      if !run.process.isRunning {
        // The run got to its end first: that must be a clean, complete finish.
        #expect(run.process.terminationStatus == 0, "attempt \(attempt): \(run.output)")
        break
      }
      if attempt % 4 == 3 && !ranks.isEmpty {
        // One rank dies; mpirun must end the whole job with an error.
        kill(ranks.randomElement(using: &generator)!, SIGKILL)
        run.waitForEnd(of: ranks)
        #expect(run.process.terminationStatus != 0, "attempt \(attempt): \(run.output)")
      } else {
        run.killAll()
      }
      kills += 1
      // Between attempts the file (once created) is a readable results file.
      if FileManager.default.fileExists(atPath: out) {
        #expect(throws: Never.self, "attempt \(attempt)") {
          let file = try ResultsFile.read(path: out)
          let done = file.cells.filter { $0.status != .pending }.count
          if done > 0 && done < file.cells.count { midRunKills += 1 }
        }
      }
    }
    let final = try Harness.mpirun(
      ranks: 2, ["run", Self.job, "--out", out, "--resume", "--quiet"])
    #expect(final.status == 0, "\(final.stderr)")
    #expect(kills >= 6, "only \(kills) kills before the run completed")
    #expect(midRunKills >= 3, "only \(midRunKills) kills landed while cells were in progress")
    Self.expectSameResults(reference, try ResultsFile.read(path: out))
  }
}
