import Foundation
import ResultStore
import SweepSpec
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Studies that grow: derived budgets, `--set` overrides, a finished sweep
/// grown with `run --resume`, `plan --against`, and kill -9 during growth.
@Suite(.serialized) struct GrowthTests {
  static let base = Harness.fixture("grow.json")
  static let grown = Harness.fixture("grow-grown.json")

  /// Every `/cells` column and `/loss` of two files, except the provenance
  /// columns that say how and when a curve was obtained (seconds, rank, and
  /// source_budget: a 200-step cell derived from a 200-step training in one
  /// file may be derived from the 400-step training in the other) and the
  /// checksum over them.
  static func expectEqualResults(_ a: String, _ b: String) throws {
    let script = """
      import h5py, numpy as np, sys
      a, b = h5py.File(sys.argv[1]), h5py.File(sys.argv[2])
      bad = [k for k in a["cells"] if k not in ("seconds", "rank", "source_budget", "checksum")
             and not np.array_equal(a["cells"][k][:], b["cells"][k][:],
                                    equal_nan=a["cells"][k].dtype.kind == "f")]
      bad += ["loss/" + k for k in ("test", "train")
              if not np.array_equal(a["loss"][k][:], b["loss"][k][:], equal_nan=True)]
      bad += ["steps"] if not np.array_equal(a["steps"][:], b["steps"][:]) else []
      bad += ["cells list"] if sorted(a["cells"]) != sorted(b["cells"]) else []
      print(" ".join(bad) or "same")
      """
    let result = try Harness.run(Harness.python, ["-c", script, a, b])
    #expect(
      result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "same", "\(result.stderr)")
  }

  @Test func derivedBudgetsEqualSeparateRunsAndCountOnce() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("derived.h5").path
    // Two ranks: derived curves travel back to rank 0 with their training.
    let run = try Harness.mpirun(ranks: 2, ["run", Self.base, "--out", out, "--quiet"])
    #expect(run.status == 0, "\(run.stderr)")
    let file = try ResultsFile.read(path: out)
    let short = file.cells.filter { $0.cell.stepsBudget == 60 }
    #expect(short.count == 4 && short.allSatisfy { $0.derived && $0.sourceBudget == 200 })
    #expect(short.allSatisfy { $0.seconds == 0 && $0.status == .done })
    #expect(file.cells.filter { $0.cell.stepsBudget == 200 }.allSatisfy { !$0.derived })
    // The same cells trained on their own (a job of the short budget only).
    let alone = dir.appendingPathComponent("alone.h5").path
    let separate = try Harness.scalesweep([
      "run", Self.base, "--set", "grid.steps=[60]", "--out", alone, "--quiet",
    ])
    #expect(separate.status == 0, "\(separate.stderr)")
    let aloneFile = try ResultsFile.read(path: alone)
    for record in aloneFile.cells {
      let twin = try #require(file.cells.first { $0.cell.coordinates == record.cell.coordinates })
      let row = file.testLoss[twin.cell.index].filter { !$0.isNaN }.map(\.bitPattern)
      #expect(row == aloneFile.testLoss[record.cell.index].filter { !$0.isNaN }.map(\.bitPattern))
      let train = file.trainLoss[twin.cell.index].filter { !$0.isNaN }.map(\.bitPattern)
      #expect(
        train == aloneFile.trainLoss[record.cell.index].filter { !$0.isNaN }.map(\.bitPattern))
    }
    // frontier counts each distinct curve once: 2 widths x 1 seed per slice, not x 2 budgets.
    let frontier = try Harness.scalesweep(["frontier", out, "--json", "--bootstrap", "0"])
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(frontier.stdout.utf8)) as? [String: Any],
      "\(frontier.stderr)")
    let slices = try #require(json["slices"] as? [[String: Any]])
    #expect(!slices.isEmpty && slices.allSatisfy { $0["curveCount"] as? Int == 2 }, "\(slices)")
  }

  @Test func grownSweepKeepsFinishedCellsAndEqualsAFreshRun() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("grow.h5").path
    #expect(try Harness.scalesweep(["run", Self.base, "--out", out, "--quiet"]).status == 0)
    let before = try ResultsFile.read(path: out)
    let plan = try Harness.scalesweep(["plan", Self.grown, "--against", out, "--json"])
    #expect(plan.status == 0, "\(plan.stderr)")
    let planned = try #require(
      try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
    #expect(planned["added_cells"] as? Int == 36 - 8)
    // One training per (width, gamma, seed): the 4 old groups train only 400 steps.
    #expect(planned["trainings_to_run"] as? Int == 12)

    let grow = try Harness.scalesweep(["run", Self.grown, "--out", out, "--resume"])
    #expect(grow.status == 0, "\(grow.stderr)")
    #expect(grow.stdout.contains("28 to run"), "\(grow.stdout)")
    let after = try ResultsFile.read(path: out)
    #expect(after.job == (try JobSpec.load(path: Self.grown)))
    #expect(after.cells.allSatisfy { $0.status == .done })
    for (i, old) in before.cells.enumerated() {
      let new = try #require(after.cells.first { $0.cell.coordinates == old.cell.coordinates })
      #expect(new.seconds.bitPattern == old.seconds.bitPattern, "cell \(i) was recomputed")
      #expect(new.sourceBudget == old.sourceBudget)
      #expect(
        after.testLoss[new.cell.index].filter { !$0.isNaN }.map(\.bitPattern)
          == before.testLoss[i].filter { !$0.isNaN }.map(\.bitPattern))
    }
    let fresh = dir.appendingPathComponent("fresh.h5").path
    #expect(try Harness.scalesweep(["run", Self.grown, "--out", fresh, "--quiet"]).status == 0)
    try Self.expectEqualResults(out, fresh)
    // Growing again with the same job is a plain resume: nothing to do.
    let again = try Harness.scalesweep(["run", Self.grown, "--out", out, "--resume"])
    #expect(again.stdout.contains("nothing to do"), "\(again.stdout)")
  }

  /// Exit 2, one line naming the key (and the override), no file changed or left behind.
  @Test func refusedGrowthAndBadOverridesChangeNothing() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("r.h5").path
    #expect(try Harness.scalesweep(["run", Self.base, "--out", out, "--quiet"]).status == 0)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
    let cases: [([String], String)] = [
      (["--set", "grid.width=[16]"], "grid.width: stored [16,32], given [16]: removes 32"),
      (["--set", "model.features=512"], "model.features: stored 256, given 512"),
      (["--set", "training.record_points=9"], "training.record_points: stored 8, given 9"),
      (["--set", "training.lr.0=0.4"], "training.lr: stored"),
      (["--set", "grid.gamma=[0]"], "grid.gamma"),
      (["--set", "training.schedule.kind=cosine"], "training.schedule"),
      (["--set", "grid.widht=[16]"], "(--set grid.widht=[16]): grid.widht: unknown key"),
      (["--set", "grid.width=[16,"], "--set grid.width=[16,: line 1"),
      (["--set", "grid..width=4"], "--set grid..width=4: grid..width"),
      (["--set", "grid.width"], "--set grid.width: grid.width: got no \"=\""),
      (["--set", "name.first=x"], "name.first"),
      (["--set", "training.schedule={\"kind\":\"wsd\",\"decay\":2}"], "training.schedule.decay"),
    ]
    for (extra, expected) in cases {
      for command in [
        ["run", Self.base, "--out", out, "--resume"], ["plan", Self.base, "--against", out],
      ] {
        let result = try Harness.scalesweep(command + extra)
        #expect(result.status == 2, "\(extra): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(extra): \(result.stderr)")
        #expect(result.stderr.contains(expected), "\(extra): \(result.stderr)")
      }
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == bytes)
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["r.h5"])
    // Notes and tags are not compared: a plain resume.
    let noted = try Harness.scalesweep([
      "run", Self.base, "--set", "notes=\"second look\"", "--set", "tags=[]", "--out", out,
      "--resume",
    ])
    #expect(noted.status == 0 && noted.stdout.contains("nothing to do"), "\(noted.stderr)")
  }

  @Test func overridesAreAppliedAndStored() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("o.h5").path
    // null removes a key: training.batch gives way to a batch axis.
    let plan = try Harness.scalesweep([
      "plan", Self.base, "--set", "grid.batch=[8,16]", "--set", "training.batch=null", "--json",
    ])
    #expect(plan.status == 0, "\(plan.stderr)")
    let planned = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
    #expect(planned?["cells"] as? Int == 16, "\(plan.stdout)")
    let ok = try Harness.scalesweep([
      "run", Self.base, "--set", "grid.width=[16]", "--set", "training.schedule.kind=cosine",
      "--set", "training.schedule.warmup=5", "--set", "grid.seeds=2", "--out", out, "--quiet",
    ])
    #expect(ok.status == 0, "\(ok.stderr)")
    let file = try ResultsFile.read(path: out)
    #expect(file.job.grid.widths == [16] && file.job.grid.seeds == [0, 1])
    #expect(file.job.training.schedule == .cosine(warmup: 5, final: 0))
    #expect(file.cells.allSatisfy { !$0.derived })  // cosine depends on the budget
    let inspect = try Harness.scalesweep(["inspect", out])
    #expect(inspect.stdout.contains("notes     first try"), "\(inspect.stdout)")
    #expect(inspect.stdout.contains("schedule cosine"))
  }

  /// kill -9 at any moment of a growth leaves the old file or the grown one,
  /// valid and resumable; the end result equals a fresh run of the grown job.
  @Test func killNineDuringGrowthLeavesOldOrGrownFile() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    // resumable.json cut down: 8 cells stored (2 widths, 2 seeds), grown to 18.
    let job = ResumeTests.job
    let grownSets = ["--set", "grid.seeds=3"]
    let baseSets = ["--set", "grid.width=[96,128]", "--set", "grid.seeds=2"]
    let referencePath = dir.appendingPathComponent("reference.h5").path
    let made = try Harness.scalesweep(
      ["run", job] + grownSets + ["--out", referencePath, "--quiet"])
    #expect(made.status == 0, "\(made.stderr)")
    let reference = try ResultsFile.read(path: referencePath)
    let out = dir.appendingPathComponent("g.h5").path
    let start = try Harness.scalesweep(["run", job] + baseSets + ["--out", out, "--quiet"])
    #expect(start.status == 0, "\(start.stderr)")
    let old = try ResultsFile.read(path: out)
    #expect(old.cells.count == 8)

    // Held just before the rename: the grown file is complete beside the old one.
    let held = try Launched(
      [Harness.binary, "run", job] + grownSets + ["--out", out, "--resume", "--quiet"],
      log: dir.appendingPathComponent("held"),
      environment: ["SCALESWEEP_TEST_PAUSE_BEFORE_GROWTH_RENAME": "1"])
    let partial = "g.h5.partial-\(held.process.processIdentifier)"
    for _ in 0..<1000
    where !(try FileManager.default.contentsOfDirectory(atPath: dir.path)).contains(partial) {
      usleep(10_000)
    }
    usleep(300_000)
    held.killAll()
    #expect(try ResultsFile.read(path: out).cells.count == 8, "the old file is intact")
    #expect(try ResultsFile.read(path: dir.appendingPathComponent(partial).path).cells.count == 18)

    var generator = SystemRandomNumberGenerator()
    for attempt in 0..<4 {
      let run = try Launched(
        ResumeTests.mpirunArguments(ranks: 2, out: out, extra: grownSets),
        log: dir.appendingPathComponent("log\(attempt)"))
      usleep(UInt32.random(in: 100_000...900_000, using: &generator))
      if !run.process.isRunning {
        #expect(run.process.terminationStatus == 0, "attempt \(attempt): \(run.output)")
        break
      }
      run.killAll()
      let file = try ResultsFile.read(path: out)
      #expect(file.cells.count == 8 || file.cells.count == 18, "attempt \(attempt)")
    }
    let final = try Harness.mpirun(
      ranks: 2, ["run", job] + grownSets + ["--out", out, "--resume", "--quiet"])
    #expect(final.status == 0, "\(final.stderr)")
    // The stale grown file of the killed process is cleaned up by the growth.
    #expect(!(try FileManager.default.contentsOfDirectory(atPath: dir.path)).contains(partial))
    let grown = try ResultsFile.read(path: out)
    ResumeTests.expectSameResults(reference, grown)
    for record in old.cells {
      let kept = try #require(grown.cells.first { $0.cell.coordinates == record.cell.coordinates })
      #expect(kept.seconds.bitPattern == record.seconds.bitPattern)
    }
  }
}
