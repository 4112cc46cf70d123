import Foundation
import ResultStore
import SweepSpec
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Model kind `command`: the user's own program as a cell, with everything
/// the built-in models get (MPI hand-out, one results file, resume, frontier).
@Suite(.serialized) struct CommandTests {
  static let example = Harness.packageRoot.appendingPathComponent("examples/numpy_trainer.py").path
  static let misbehave = Harness.fixture("commands/misbehave.py")

  /// The NumPy example job (examples/numpy-job.json) with this machine's
  /// Python and absolute paths, optionally on other widths and budgets.
  static func numpyJob(in dir: URL, widths: [Int]? = nil, steps: [Int]? = nil) throws -> String {
    let source = Harness.packageRoot.appendingPathComponent("examples/numpy-job.json")
    var text = try String(contentsOf: source, encoding: .utf8)
    text = text.replacingOccurrences(of: "\"python3\"", with: "\"\(Harness.python)\"")
    text = text.replacingOccurrences(
      of: "\"examples/numpy_trainer.py\"", with: "\"\(example)\"")
    if let widths {
      text = text.replacingOccurrences(
        of: "\"width\": [8, 16, 32, 64, 128]", with: "\"width\": \(widths)")
    }
    if let steps {
      text = text.replacingOccurrences(of: "\"steps\": [4000]", with: "\"steps\": \(steps)")
    }
    let path = dir.appendingPathComponent("numpy-job.json").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// Everything in the results that must not depend on how the run went:
  /// /loss and /cells except seconds and rank.
  static func comparable(_ r: ResultsFile) -> [String] {
    r.cells.map {
      "\($0.cell) \($0.status) \($0.flopsPerStep.bitPattern) \(String(describing: $0.divergedStep)) \($0.lossFloor.bitPattern) \($0.error ?? "")"
    } + Harness.bits(r.testLoss).map { "\($0)" } + Harness.bits(r.trainLoss).map { "\($0)" }
  }

  @Test func numpyExampleOnTwoRanksThenInspectAndFrontier() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let job = try Self.numpyJob(in: dir)
    let out = dir.appendingPathComponent("numpy.h5").path
    let run = try Harness.mpirun(ranks: 2, ["run", job, "--out", out, "--quiet"])
    #expect(run.status == 0, "\(run.stderr)")
    let results = try ResultsFile.read(path: out)
    #expect(results.cells.allSatisfy { $0.status == .done })
    #expect(Set(results.cells.map(\.rank)) == [0, 1])
    // The program reports cumulative flops: /cells/flops_per_step is 2 B N M + 4 B N.
    for record in results.cells {
      let n = Double(record.cell.width)
      #expect(record.flopsPerStep == 2 * 16 * n * 128 + 4 * 16 * n)
    }
    // Wider networks reach lower loss at the end (the width bottleneck).
    let final = results.testLoss.map { $0.last(where: { !$0.isNaN })! }
    #expect(zip(final, final.dropFirst()).allSatisfy { $0 > $1 }, "\(final)")
    #expect(!FileManager.default.fileExists(atPath: out + ".checkpoints"))

    let inspect = try Harness.scalesweep(["inspect", out])
    #expect(inspect.status == 0, "\(inspect.stderr)")
    #expect(inspect.stdout.contains("5 done"), "\(inspect.stdout)")
    let frontier = try Harness.scalesweep(["frontier", out, "--bootstrap", "40", "--json"])
    #expect(frontier.status == 0, "\(frontier.stderr)")
    // The task object names the slice; the envelope's width grows with compute.
    #expect(frontier.stdout.contains("alpha\\\":1.5"), "\(frontier.stdout.prefix(400))")
    let nt = try Harness.scalesweep(["frontier", out, "--compute", "nt", "--bootstrap", "0"])
    #expect(nt.status == 0, "\(nt.stderr)")
  }

  @Test func sameFileOnOneTwoAndThreeRanks() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let job = try Self.numpyJob(in: dir, widths: [4, 16], steps: [300, 600])
    let files = try Harness.resultsOnRankCounts(job, [1, 2, 3], in: dir)
    #expect(files[0].cells.allSatisfy { $0.status == .done })
    #expect(Self.comparable(files[0]) == Self.comparable(files[1]))
    #expect(Self.comparable(files[0]) == Self.comparable(files[2]))
  }

  /// Starts `job` into `out` on one rank and returns once a cell has written
  /// a checkpoint (so the stop comes during a running cell).
  static func launchUntilCheckpointed(_ job: String, out: String, log: URL) throws -> Launched {
    let launched = try Launched(
      [Harness.binary, "run", job, "--out", out, "--quiet", "--grace", "0"], log: log)
    let checkpoints = out + ".checkpoints"
    for _ in 0..<3000 {
      usleep(5_000)
      let cells = (try? FileManager.default.contentsOfDirectory(atPath: checkpoints)) ?? []
      if cells.contains(where: {
        FileManager.default.fileExists(atPath: "\(checkpoints)/\($0)/state.npz")
      }) {
        return launched
      }
    }
    Issue.record("no checkpoint appeared: \(launched.output)")
    return launched
  }

  @Test func stoppedOrKilledDuringACellThenResumedEqualsAnUninterruptedRun() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let job = try Self.numpyJob(in: dir, widths: [8, 64], steps: [3000])

    // SIGTERM: the program's group gets SIGTERM (it checkpoints and exits),
    // the cell stays pending, the run exits 75.
    let stopped = dir.appendingPathComponent("stopped.h5").path
    let first = try Self.launchUntilCheckpointed(
      job, out: stopped, log: dir.appendingPathComponent("stopped.log"))
    kill(first.process.processIdentifier, SIGTERM)
    first.process.waitUntilExit()
    #expect(first.process.terminationStatus == 75, "\(first.output)")
    #expect(try ResultsFile.read(path: stopped).cells.contains { $0.status == .pending })
    #expect(FileManager.default.fileExists(atPath: stopped + ".checkpoints"))
    #expect(Self.processes(marked: dir.path).isEmpty, "\(Self.processes(marked: dir.path))")

    // kill -9 of ScaleSweep during a cell: its program is left running (a
    // resumed run kills it before running the cell again).
    let killed = dir.appendingPathComponent("killed.h5").path
    let second = try Self.launchUntilCheckpointed(
      job, out: killed, log: dir.appendingPathComponent("killed.log"))
    kill(second.process.processIdentifier, SIGKILL)
    second.process.waitUntilExit()
    #expect(try ResultsFile.read(path: killed).cells.contains { $0.status == .pending })
    #expect(FileManager.default.fileExists(atPath: killed + ".checkpoints"))

    let reference = dir.appendingPathComponent("reference.h5").path
    let whole = try Harness.scalesweep(["run", job, "--out", reference, "--quiet"])
    #expect(whole.status == 0, "\(whole.stderr)")
    let expected = Self.comparable(try ResultsFile.read(path: reference))
    for out in [stopped, killed] {
      let resumed = try Harness.scalesweep(["run", job, "--out", out, "--resume", "--quiet"])
      #expect(resumed.status == 0, "\(resumed.stderr)")
      #expect(Self.comparable(try ResultsFile.read(path: out)) == expected, "\(out)")
      #expect(!FileManager.default.fileExists(atPath: out + ".checkpoints"))
    }
    #expect(Self.processes(marked: dir.path).isEmpty, "\(Self.processes(marked: dir.path))")
  }

  /// Processes whose command line holds `marker` (the test's own directory).
  static func processes(marked marker: String) -> [String] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.filter { Int($0) != nil }.compactMap { pid in
      guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else {
        return nil
      }
      let text = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
      return text.contains(marker) ? "\(pid): \(text)" : nil
    }
  }

  @Test func misbehavingProgramsEndAsTheRightOutcomeAndNothingIsLeftRunning() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let marker = dir.appendingPathComponent("marker").path
    let modes = ["ok", "exit", "broken", "hang", "nan", "ignore-term", "ok2", "float-step"]
    let job: [String: Any] = [
      "name": "misbehave",
      "model": [
        "kind": "command", "argv": [Harness.python, Self.misbehave, "{task.mode}"],
        "env": ["MARKER": marker], "timeout": 2,
      ],
      "task": modes.map { ["mode": $0 == "ok2" ? "ok" : $0, "tag": $0] },
      "grid": ["width": [8], "steps": [10]],
      "training": ["record_points": 3],
    ]
    let path = dir.appendingPathComponent("misbehave.json").path
    try JSONSerialization.data(withJSONObject: job).write(to: URL(fileURLWithPath: path))
    let out = dir.appendingPathComponent("misbehave.h5").path
    let result = try Harness.scalesweep(["run", path, "--out", out, "--quiet", "--grace", "1"])
    // Exit status 3: the sweep went on, and ended with failed cells.
    #expect(result.status == 3, "\(result.stderr)")
    let results = try ResultsFile.read(path: out)
    let byMode = Dictionary(uniqueKeysWithValues: zip(modes, results.cells))
    #expect(byMode["ok"]?.status == .done)
    #expect(byMode["ok2"]?.status == .done)
    #expect(results.testLoss[0].filter { !$0.isNaN } == [1.0, 1.0 / 3, 0.1])
    // Steps written as floats count; a record step never reported is NaN, with a warning.
    #expect(byMode["float-step"]?.status == .done)
    #expect(results.testLoss[7].filter { !$0.isNaN } == [2.0, 2.0 / 3])
    #expect(result.stderr.contains("cell 7: warning: record steps never reported (NaN): 10"))
    let exit = try #require(byMode["exit"])
    #expect(exit.status == .failed)
    #expect(exit.error?.contains("exited with status 3") == true, "\(exit.error ?? "")")
    #expect(exit.error?.contains("something went wrong here") == true, "\(exit.error ?? "")")
    let broken = try #require(byMode["broken"])
    #expect(broken.status == .failed)
    #expect(broken.error?.contains("{\"step\": 2, \"test_loss\": oops") == true)
    let hang = try #require(byMode["hang"])
    #expect(hang.status == .failed)
    #expect(hang.error?.hasPrefix("timed out after 2 s") == true, "\(hang.error ?? "")")
    let nan = try #require(byMode["nan"])
    #expect(nan.status == .diverged)
    #expect(nan.divergedStep == 2)
    let ignore = try #require(byMode["ignore-term"])
    #expect(ignore.status == .failed)
    #expect(ignore.error?.hasPrefix("timed out after 2 s") == true)
    // The program's plain lines reach the log, prefixed with the cell.
    #expect(result.stderr.contains("cell 0: a plain log line from the program"))
    #expect(result.stderr.contains("warning: cell 1 failed: exited with status 3"))
    #expect(result.stderr.contains("warning: cell 4 diverged at step 2"))
    // Timed-out programs and their children are gone (SIGKILL to the group).
    usleep(100_000)
    #expect(Self.processes(marked: marker).isEmpty, "\(Self.processes(marked: marker))")
  }

  @Test func theChildReceivesExactlyTheseArgumentsAndEnvironment() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let dump = dir.appendingPathComponent("dump").path
    let job = """
      {"name": "argv-env",
       "model": {"kind": "command",
                 "argv": ["\(Harness.python)", "\(Self.misbehave)", "dump", "{width}", "{data}",
                          "{gamma}", "{seed}", "{steps}", "{batch}", "{lr}", "{cell}", "{task}",
                          "{task.mode}", "{task.depth}", "{record_steps}", "{checkpoint_dir}",
                          "w={width}/s={seed}", "{{literal}}"],
                 "env": {"DUMP": "\(dump)-{cell}.json", "MY_SETTING": "width {width}"},
                 "devices_per_rank": 2},
       "task": {"mode": "dump", "depth": 3},
       "grid": {"width": [16], "data": [1000], "gamma": [0.5], "seeds": [7, 9], "steps": [100]},
       "training": {"batch": 8, "lr": 0.25, "record_points": 3}}
      """
    let path = dir.appendingPathComponent("argv.json").path
    try job.write(toFile: path, atomically: true, encoding: .utf8)
    let out = dir.appendingPathComponent("argv.h5").path
    let result = try Harness.mpirun(ranks: 2, ["run", path, "--out", out, "--quiet"])
    #expect(result.status == 0, "\(result.stderr)")
    let results = try ResultsFile.read(path: out)
    let checkpoints = URL(fileURLWithPath: out).standardizedFileURL.path + ".checkpoints"
    for (cell, seed) in [(0, 7), (1, 9)] {
      let data = try Data(contentsOf: URL(fileURLWithPath: "\(dump)-\(cell).json"))
      let received = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      let argv = try #require(received["argv"] as? [String])
      let env = try #require(received["env"] as? [String: String])
      let checkpoint = "\(checkpoints)/task0-w16-d1000-g0.5-lr0.25-b8-s\(seed)-t100"
      // sys.argv drops the interpreter: the script is argv[0].
      #expect(
        argv == [
          Self.misbehave, "dump", "16", "1000", "0.5", String(seed), "100", "8", "0.25",
          String(cell), "{\"mode\":\"dump\",\"depth\":3}", "dump", "3", "1,10,100", checkpoint,
          "w=16/s=\(seed)", "{literal}",
        ])
      let rank = results.cells[cell].rank
      let expected: [String: String] = [
        "SCALESWEEP_CELL": String(cell), "SCALESWEEP_WIDTH": "16", "SCALESWEEP_DATA": "1000",
        "SCALESWEEP_GAMMA": "0.5", "SCALESWEEP_SEED": String(seed), "SCALESWEEP_STEPS": "100",
        "SCALESWEEP_BATCH": "8", "SCALESWEEP_LR": "0.25",
        "SCALESWEEP_TASK": "{\"mode\":\"dump\",\"depth\":3}", "SCALESWEEP_RECORD_STEPS": "1,10,100",
        "SCALESWEEP_CHECKPOINT_DIR": checkpoint, "SCALESWEEP_LOCAL_RANK": String(rank),
        "CUDA_VISIBLE_DEVICES": rank == 0 ? "0,1" : "2,3", "MY_SETTING": "width 16",
        "DUMP": "\(dump)-\(cell).json",
      ]
      for (name, value) in expected {
        #expect(env[name] == value, "cell \(cell): \(name) = \(env[name] ?? "unset")")
      }
      let inherited = ProcessInfo.processInfo.environment
      let ours = env.keys.filter { $0.hasPrefix("SCALESWEEP_") && inherited[$0] == nil }.sorted()
      #expect(ours == expected.keys.filter { $0.hasPrefix("SCALESWEEP_") }.sorted())
    }
    #expect(Set(results.cells.map(\.rank)) == [0, 1])
  }

  @Test func planSaysCostUnknownWithoutACostExpression() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let job: [String: Any] = [
      "name": "no-cost", "model": ["kind": "command", "argv": ["true"]],
      "task": ["x": 1], "grid": ["width": [1, 2], "steps": [5]],
    ]
    let path = dir.appendingPathComponent("no-cost.json").path
    try JSONSerialization.data(withJSONObject: job).write(to: URL(fileURLWithPath: path))
    let plan = try Harness.scalesweep(["plan", path])
    #expect(plan.status == 0, "\(plan.stderr)")
    #expect(plan.stdout.contains("cost             unknown"), "\(plan.stdout)")
    let example = try Harness.scalesweep([
      "plan", Harness.packageRoot.appendingPathComponent("examples/numpy-job.json").path,
      "--ranks", "2",
    ])
    #expect(example.stdout.contains("units of \"width * steps\""), "\(example.stdout)")
    // No theory for a command's task; a Slurm script needs the time limit given.
    let theory = try Harness.scalesweep(["theory", path])
    #expect(theory.status == 2 && theory.stderr.split(separator: "\n").count == 1)
    let slurm = try Harness.scalesweep(["slurm", path])
    #expect(slurm.status == 2 && slurm.stderr.contains("--time"), "\(slurm.stderr)")
    let timed = try Harness.scalesweep(["slurm", path, "--time", "2:00:00"])
    #expect(timed.status == 0 && timed.stdout.contains("#SBATCH --time=02:00:00"))
    // devices_per_rank becomes the GPUs each task asks for.
    let torch = try Harness.scalesweep([
      "slurm", Harness.packageRoot.appendingPathComponent("examples/torch-cnn-job.json").path,
      "--time", "4:00:00",
    ])
    #expect(torch.status == 0 && torch.stdout.contains("#SBATCH --gpus-per-task=1"))
  }
}
