import Foundation
import ResultStore
import Testing

/// The CLI's contract: help, version, exit statuses, refusing to clobber, resume.
@Suite struct CommandLineTests {
  @Test func versionAndHelp() throws {
    let version = try Harness.scalesweep(["--version"])
    #expect(version.status == 0)
    #expect(version.stdout.hasPrefix("scalesweep "))
    for command in ["run", "plan", "inspect"] {
      let help = try Harness.scalesweep([command, "--help"])
      #expect(help.status == 0)
      #expect(help.stdout.contains("usage: ") && help.stdout.contains(command))
    }
    #expect(try Harness.scalesweep([]).status == 2)
    #expect(try Harness.scalesweep(["frobnicate"]).status == 2)
    #expect(try Harness.scalesweep(["plan"]).status == 2)
    #expect(try Harness.scalesweep(["run", Harness.fixture("tiny.json")]).status == 2)
    #expect(try Harness.scalesweep(["plan", Harness.fixture("tiny.json"), "--bogus"]).status == 2)
  }

  @Test func planReportsCellsAndMakespan() throws {
    let result = try Harness.scalesweep(["plan", Harness.fixture("tiny.json"), "--ranks", "2", "--json"])
    #expect(result.status == 0)
    let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(json?["cells"] as? Int == 64)
    let serial = json?["estimated_serial_seconds"] as? Double ?? 0
    let makespan = json?["estimated_makespan_seconds"] as? Double ?? 0
    #expect(makespan < serial && makespan >= serial / 2 * (1 - 1e-9))
    #expect((json?["memory_per_rank_bytes"] as? Double ?? 0) > 0)
  }

  @Test func existingOutputIsRefusedThenResumedOrForced() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let job = Harness.fixture("tiny.json")
    let out = dir.appendingPathComponent("r.h5").path
    #expect(try Harness.scalesweep(["run", job, "--out", out, "--quiet"]).status == 0)
    let before = try Data(contentsOf: URL(fileURLWithPath: out))
    let again = try Harness.scalesweep(["run", job, "--out", out])
    #expect(again.status == 2)
    #expect(again.stderr.contains("--resume"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == before)
    let resumed = try Harness.scalesweep(["run", job, "--out", out, "--resume"])
    #expect(resumed.status == 0)
    #expect(resumed.stdout.contains("already finished"))
    let differentJob = dir.appendingPathComponent("other.json").path
    let text = try String(contentsOfFile: job, encoding: .utf8).replacingOccurrences(
      of: "\"tiny\"", with: "\"other\"")
    try text.write(toFile: differentJob, atomically: true, encoding: .utf8)
    let mismatch = try Harness.scalesweep(["run", differentJob, "--out", out, "--resume"])
    #expect(mismatch.status == 2)
    #expect(mismatch.stderr.contains("different job"))
    let forced = try Harness.scalesweep(["run", job, "--out", out, "--force", "--quiet"])
    #expect(forced.status == 0)
    let inspect = try Harness.scalesweep(["inspect", out, "--json"])
    #expect(inspect.status == 0)
    let json = try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any]
    #expect((json?["status"] as? [String: Int])?["done"] == 64)
  }

  @Test func inspectRejectsFilesThatAreNotResults() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let text = dir.appendingPathComponent("notes.h5").path
    try "hello".write(toFile: text, atomically: true, encoding: .utf8)
    let missing = dir.appendingPathComponent("missing.h5").path
    for path in [text, missing] {
      let result = try Harness.scalesweep(["inspect", path])
      #expect(result.status == 2)
      #expect(result.stderr.split(separator: "\n").count == 1)
      #expect(result.stderr.contains(path))
    }
    // A real results file cut in half.
    let good = dir.appendingPathComponent("good.h5").path
    #expect(try Harness.scalesweep(["run", Harness.fixture("tiny.json"), "--out", good, "--quiet"]).status == 0)
    let data = try Data(contentsOf: URL(fileURLWithPath: good))
    let truncated = dir.appendingPathComponent("truncated.h5").path
    try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: truncated))
    let result = try Harness.scalesweep(["inspect", truncated])
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.hasPrefix("error: \(truncated)"))
  }
}
