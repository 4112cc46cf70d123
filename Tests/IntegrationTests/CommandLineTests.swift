import Foundation
import ResultStore
import Testing

/// The CLI's contract: help, version, exit statuses, refusing to clobber, resume.
@Suite struct CommandLineTests {
  @Test func versionAndHelp() throws {
    let version = try Harness.scalesweep(["--version"])
    #expect(version.status == 0)
    #expect(version.stdout.hasPrefix("scalesweep "))
    for command in ["run", "plan", "inspect", "frontier", "slurm"] {
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
    let result = try Harness.scalesweep([
      "plan", Harness.fixture("tiny.json"), "--ranks", "2", "--json",
    ])
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
    #expect(
      try Harness.scalesweep(["run", Harness.fixture("tiny.json"), "--out", good, "--quiet"]).status
        == 0)
    let data = try Data(contentsOf: URL(fileURLWithPath: good))
    let truncated = dir.appendingPathComponent("truncated.h5").path
    try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: truncated))
    let result = try Harness.scalesweep(["inspect", truncated])
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.hasPrefix("error: \(truncated)"))
  }
}

/// Cells that throw or diverge are recorded as such, and the sweep goes on.
@Suite struct CellFailureTests {
  @Test func throwingCellsAreRecordedAsFailedAndOthersFinish() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("f.h5").path
    let result = try Harness.runTinyOnTwoRanks(out: out, failing: [3, 40])
    #expect(result.status == 3, "\(result.stderr)")
    #expect(result.stderr.contains("cell 3 failed: cell 3: failure injected"))
    let file = try ResultsFile.read(path: out)
    #expect(file.cells[3].status == .failed)
    #expect(file.cells[40].status == .failed)
    #expect(file.cells[3].error == "cell 3: failure injected through SCALESWEEP_FAIL_CELLS")
    // tiny.json has budgets [300, 120] and a constant schedule: cell 3 (120 steps)
    // is derived from cell 2's training, which succeeds while cell 3 fails; cell
    // 40 is a 300-step training whose failure leaves its 120-step cell 41 failed too.
    #expect(file.cells[2].status == .done)
    #expect(file.cells[41].status == .failed)
    #expect(file.cells[41].error == "cell 40: failure injected through SCALESWEEP_FAIL_CELLS")
    #expect(file.cells.filter { $0.status == .done }.count == 61)
    #expect(file.cells[4].error == nil)
    let lossesOfFailedCell = file.testLoss[3]
    #expect(lossesOfFailedCell.allSatisfy { $0.isNaN })
    let inspect = try Harness.scalesweep(["inspect", out])
    #expect(inspect.stdout.contains("3 failed"))
    #expect(inspect.stdout.contains("failure injected"))
    let h5py = try Harness.run(
      Harness.python,
      ["-c", "import h5py,sys; f=h5py.File(sys.argv[1]); print(f['cells/error'][3].decode())", out])
    #expect(h5py.stdout.contains("failure injected"), "\(h5py.stderr)")
  }

  @Test func divergingCellsAreRecordedWithTheirStep() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let jobPath = dir.appendingPathComponent("diverge.json").path
    try """
    {"name": "diverge", "model": {"kind": "projected-features", "features": 256},
     "task": {"alpha": 2, "beta": 0.5},
     "grid": {"width": [16], "gamma": [0, 4], "steps": [200]},
     "training": {"lr": {"0": 0.5, "4": 40}}}
    """.write(toFile: jobPath, atomically: true, encoding: .utf8)
    let out = dir.appendingPathComponent("d.h5").path
    let result = try Harness.scalesweep(["run", jobPath, "--out", out, "--quiet"])
    #expect(result.status == 0)
    #expect(result.stderr.contains("cell 1 diverged at step"))
    let file = try ResultsFile.read(path: out)
    #expect(file.cells[0].status == .done)
    #expect(file.cells[1].status == .diverged)
    #expect((file.cells[1].divergedStep ?? 0) > 0)
    let inspect = try Harness.scalesweep(["inspect", out, "--json"])
    #expect(inspect.stdout.contains("\"diverged\" : 1"))
  }

  @Test func resumeRefusesDamagedFiles() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("junk.h5").path
    try Data(repeating: 0x42, count: 4096).write(to: URL(fileURLWithPath: out))
    let result = try Harness.scalesweep([
      "run", Harness.fixture("tiny.json"), "--out", out, "--resume",
    ])
    #expect(result.status == 2)
    #expect(result.stderr.contains("not a ScaleSweep results file"))
    let after = try Data(contentsOf: URL(fileURLWithPath: out))
    #expect(after == Data(repeating: 0x42, count: 4096))
  }
}
