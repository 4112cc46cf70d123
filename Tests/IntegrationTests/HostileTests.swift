import Distributed
import Foundation
import ResultStore
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// What a red-team pass broke (issue 12), each case reproduced and held.
@Suite(.serialized) struct HostileTests {
  /// Long enough (8 cells of 20000 steps, a few seconds on 2 ranks) that a
  /// signal sent after the first finished cell always finds the run live.
  static let slow = Harness.fixture("long.json")
  static let tiny = Harness.fixture("tiny.json")

  /// `job` with its name replaced, written into `dir`.
  static func job(_ source: String, named name: String, in dir: URL, lr: String? = nil) throws
    -> String
  {
    var text = try String(contentsOfFile: source, encoding: .utf8)
    let old = text.components(separatedBy: "\"name\": \"")[1].components(separatedBy: "\"")[0]
    text = text.replacingOccurrences(of: "\"name\": \"\(old)\"", with: "\"name\": \(name)")
    if let lr { text = text.replacingOccurrences(of: "\"0\": 0.5", with: "\"0\": \(lr)") }
    let path = dir.appendingPathComponent("\(UUID().uuidString).json").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// Items 1 and 9: while a run writes, `--force`, `--resume`, a fresh run and
  /// `frontier --write` are refused naming the holder; `inspect` says a run is
  /// in progress; the first run's file is untouched.
  @Test func liveFileIsRefusedToEveryOtherWriter() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("live.h5").path
    let run = try Launched(
      [
        Harness.binary, "run", Self.slow, "--out", out, "--progress-interval", "0.1", "--grace",
        "0",
      ],
      log: dir.appendingPathComponent("log"))
    for _ in 0..<2000 where !run.output.contains("progress: ") { usleep(5_000) }
    let pid = String(run.process.processIdentifier)
    // Frozen, the run stays live (holding its lock) through every check below,
    // however fast the machine: it could otherwise finish in between.
    kill(run.process.processIdentifier, SIGSTOP)
    // A link to the live file shares its lock.
    let link = dir.appendingPathComponent("link.h5").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: out)
    for arguments in [
      ["run", Self.tiny, "--out", out, "--force"], ["run", Self.slow, "--out", out, "--resume"],
      ["run", Self.slow, "--out", out], ["run", Self.slow, "--out", link, "--resume"],
    ] {
      let refused = try Harness.scalesweep(arguments)
      #expect(refused.status == 2, "\(arguments): \(refused.stderr)")
      #expect(refused.stderr.contains("in use: a run is in progress"), "\(refused.stderr)")
      #expect(refused.stderr.contains("pid \(pid)"), "\(refused.stderr)")
    }
    let start = Date()
    let frontier = try Harness.scalesweep(["frontier", out, "--write", "--bootstrap", "0"])
    #expect(frontier.status == 2 && frontier.stderr.contains("in use"), "\(frontier.stderr)")
    #expect(Date().timeIntervalSince(start) < 5)
    let inspect = try Harness.scalesweep(["inspect", out])
    #expect(inspect.stdout.contains("in progress: a run is writing this file"))
    #expect(!inspect.stdout.contains("--resume"))
    kill(run.process.processIdentifier, SIGCONT)
    kill(run.process.processIdentifier, SIGUSR1)
    run.process.waitUntilExit()
    #expect(run.process.terminationStatus == 75, "\(run.output)")
    #expect(try ResultsFile.read(path: out).job.name == "long")
    #expect(!FileManager.default.fileExists(atPath: out + ".lock"))
  }

  /// Item 1: of two runs (different jobs) racing to create one file, exactly
  /// one proceeds, and the file holds its job.
  @Test func racingCreatorsYieldExactlyOneWinner() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let other = try Self.job(Self.tiny, named: "\"tinyB\"", in: dir, lr: "0.7")
    for round in 0..<3 {
      let out = dir.appendingPathComponent("race\(round).h5").path
      let racers = try [Self.tiny, other].enumerated().map { i, job in
        try Launched(
          [Harness.binary, "run", job, "--out", out, "--quiet"],
          log: dir.appendingPathComponent("race\(round)-\(i)"))
      }
      racers.forEach { $0.process.waitUntilExit() }
      let statuses = racers.map(\.process.terminationStatus)
      #expect(statuses.sorted() == [0, 2], "round \(round): \(statuses) \(racers.map(\.output))")
      guard let winner = statuses.firstIndex(of: 0) else { continue }
      #expect(try ResultsFile.read(path: out).job.name == (winner == 0 ? "tiny" : "tinyB"))
      #expect(try ResultsFile.read(path: out).cells.allSatisfy { $0.status == .done })
    }
  }

  /// Item 2: `--force` never replaces a device, a directory, a link or the job file.
  @Test func forceReplacesOnlyRegularFilesOtherThanTheJob() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let job = dir.appendingPathComponent("j.json").path
    try FileManager.default.copyItem(atPath: Self.tiny, toPath: job)
    let before = try Data(contentsOf: URL(fileURLWithPath: job))
    let link = dir.appendingPathComponent("link.h5").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: job)
    // A private null device (as /dev/null): a binary without the fix would
    // replace it, and must not take the system's /dev/null with it.
    let device = dir.appendingPathComponent("null").path
    var targets = [(job, "job file"), (dir.path, "directory"), (link, "symbolic link")]
    if getuid() == 0, try Harness.run("/bin/mknod", [device, "c", "1", "3"]).status == 0 {
      targets.append((device, "character device"))
    }
    #expect(targets.count == 4 || getuid() != 0, "mknod failed as root")
    for (out, reason) in targets {
      let result = try Harness.scalesweep(["run", job, "--out", out, "--force"])
      #expect(result.status == 2, "\(out): \(result.stderr)")
      #expect(result.stderr.contains(reason), "\(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count == 1)
    }
    var info = stat()
    #expect(
      targets.count < 4 || (stat(device, &info) == 0 && info.st_mode & S_IFMT == S_IFCHR))
    #expect(try Data(contentsOf: URL(fileURLWithPath: job)) == before)
  }

  /// Item 3: a full disk at creation is exit 1 naming the disk, no crash,
  /// nothing left behind (a 300 kB tmpfs; needs root to mount).
  @Test(.enabled(if: getuid() == 0)) func diskFullAtCreationIsAOneLineError() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let small = dir.appendingPathComponent("small")
    try FileManager.default.createDirectory(at: small, withIntermediateDirectories: true)
    let mount = try Harness.run(
      "/bin/mount", ["-t", "tmpfs", "-o", "size=300k", "tmpfs", small.path])
    #expect(mount.status == 0, "\(mount.stderr)")
    defer { _ = try? Harness.run("/bin/umount", [small.path]) }
    let job = dir.appendingPathComponent("many.json").path
    try """
    {"name": "many", "model": {"kind": "projected-features", "features": 64},
     "task": {"alpha": 2.0, "beta": 0.5},
     "grid": {"width": [8, 16], "data": ["online"], "gamma": [0, 1], "seeds": 100, "steps": [100]},
     "training": {"batch": 4, "lr": 0.1, "record_points": 40}}
    """.write(toFile: job, atomically: true, encoding: .utf8)
    let result = try Harness.scalesweep([
      "run", job, "--out", small.appendingPathComponent("m.h5").path,
    ])
    #expect(result.status == 1, "\(result.stderr)")
    #expect(result.stderr.contains("the disk is full"), "\(result.stderr)")
    #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("error") }.count == 1)
    #expect(!result.stderr.contains("crash"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: small.path).isEmpty)
  }

  /// Item 5: ESC sequences and newlines in names, keys and paths are printed escaped.
  @Test func controlCharactersNeverReachTheTerminal() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let job = try Self.job(Self.tiny, named: "\"a\\u001b[2Jb\\nc\\u009bd\"", in: dir)
    let out = dir.appendingPathComponent("o\u{1B}]0;x\u{07}.h5").path
    var printed: [String] = []
    for arguments in [["plan", job], ["run", job, "--out", out, "--quiet"], ["inspect", out]] {
      let result = try Harness.scalesweep(arguments)
      #expect(result.status == 0, "\(arguments[0]): \(result.stderr)")
      printed += [result.stdout, result.stderr]
    }
    let bad = try Self.job(Self.tiny, named: "\"x\", \"bo\\u001bgus\\nkey\": 1", in: dir)
    let error = try Harness.scalesweep(["plan", bad])
    #expect(error.status == 2)
    #expect(error.stderr.split(separator: "\n").count == 1, "\(error.stderr)")
    printed.append(error.stderr)
    for text in printed {
      #expect(
        !text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 7 })
    }
    #expect(printed[0].contains("a\\e[2Jb\\nc\\x9bd"))
    #expect(printed[2].contains("--out $'"), "resume hint is one shell word: \(printed[2])")
  }

  /// Item 6: a budget that records fewer points than asked is said.
  @Test func reducedRecordCountIsSaid() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var text = try String(contentsOfFile: Self.tiny, encoding: .utf8)
    text = text.replacingOccurrences(of: "\"record_points\": 10", with: "\"record_points\": 200")
    let job = dir.appendingPathComponent("j.json").path
    try text.write(toFile: job, atomically: true, encoding: .utf8)
    let plan = try Harness.scalesweep(["plan", job])
    #expect(plan.status == 0)
    #expect(plan.stderr.contains("record_points: 200 asked, but a budget of 120 steps records"))
  }

  /// Item 7: failed cells end the run with status 3; `--resume` alone keeps
  /// them (status 3 again); `--resume --retry-failed` reruns only them.
  @Test func failedCellsExitThreeAndRetryKeepsTheRest() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("f.h5").path
    let first = try Harness.runTinyOnTwoRanks(out: out, failing: [3, 40])
    #expect(first.status == 3, "\(first.stderr)")
    let before = try ResultsFile.read(path: out)
    // A failed training also fails the shorter budgets derived from it.
    let failed = Set(before.cells.filter { $0.status == .failed }.map(\.cell.index))
    #expect(failed.isSuperset(of: [3, 40]))
    #expect(first.stdout.contains("\(failed.count) of 64 cells failed; retry them with: "))
    #expect(first.stdout.contains("--resume --retry-failed"))
    let again = try Harness.scalesweep(["run", Self.tiny, "--out", out, "--resume", "--quiet"])
    #expect(again.status == 3, "\(again.stdout)")
    let retry = try Harness.scalesweep([
      "run", Self.tiny, "--out", out, "--resume", "--retry-failed", "--quiet",
    ])
    #expect(retry.status == 0, "\(retry.stderr)")
    let after = try ResultsFile.read(path: out)
    #expect(after.cells.allSatisfy { $0.status == .done && $0.error == nil })
    for i in 0..<64 where !failed.contains(i) {
      #expect(Harness.bits([after.testLoss[i]]) == Harness.bits([before.testLoss[i]]))
      #expect(after.cells[i].seconds.bitPattern == before.cells[i].seconds.bitPattern)
    }
    #expect(after.damagedCells.isEmpty)
  }

  /// Item 7: sweep.sbatch does not requeue on status 3 and lets a chained
  /// analysis run; frontier.sbatch marks it incomplete (run outside Slurm,
  /// mpirun as the launcher).
  @Test func batchScriptsHandleFailedCells() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("b.h5").path
    let root = Harness.packageRoot.path
    let environment = [
      "SCALESWEEP_LAUNCHER": "mpirun", "SCALESWEEP_LAUNCHER_ARGS": "--oversubscribe -np 2",
      "SCALESWEEP_BIN": Harness.binary, "SCALESWEEP_FAIL_CELLS": "5",
      // mpirun waits twice odls_base_sigkill_timeout (grace + 10 s) after a
      // rank exits non-zero; grace 0 keeps the test short.
      "SCALESWEEP_GRACE": "0",
    ]
    let sweep = try Harness.run(
      "/bin/bash", ["\(root)/slurm/sweep.sbatch", Self.tiny, out], environment: environment)
    #expect(sweep.status == 0, "\(sweep.stdout)\(sweep.stderr)")
    #expect(sweep.stdout.contains("failed cells (status 3): not requeueing"), "\(sweep.stdout)")
    #expect(!sweep.stdout.contains("requeueing job"))
    func analyse() throws -> String {
      let analysis = try Harness.run(
        "/bin/bash",
        ["\(root)/slurm/frontier.sbatch", out, dir.appendingPathComponent("fr").path],
        environment: [
          "SCALESWEEP_BIN": Harness.binary, "SCALESWEEP_FRONTIER_ARGS": "--bootstrap 0",
        ])
      #expect(analysis.status == 0, "\(analysis.stderr)")
      return try String(contentsOf: dir.appendingPathComponent("fr/frontier.txt"), encoding: .utf8)
    }
    #expect(try analyse().hasPrefix("INCOMPLETE: some cells failed"))
    // Retried to completion, the analysis is no longer marked.
    let retry = try Harness.scalesweep([
      "run", Self.tiny, "--out", out, "--resume", "--retry-failed", "--quiet",
    ])
    #expect(retry.status == 0, "\(retry.stderr)")
    #expect(!(try analyse().contains("INCOMPLETE")))
  }

  /// Item 8: SIGINT to mpirun stops every rank gracefully (finished cells kept,
  /// resume command printed); SIGHUP does the same to a run; a closed stdout
  /// never ends one.
  @Test func signalsAndClosedOutputStopGracefullyOrNotAtAll() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("s.h5").path
    // Started as from a terminal: signals unblocked and at their defaults
    // (this test process may block some, and a child inherits that).
    let terminal =
      "import os,signal,sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
      + "[signal.signal(s, signal.SIG_DFL) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]; "
      + "os.execv(sys.argv[1], sys.argv[1:])"
    let run = try Launched(
      [Harness.python, "-c", terminal]
        + ResumeTests.mpirunArguments(ranks: 2, out: out, job: Self.slow, extra: ["--grace", "0"]),
      log: dir.appendingPathComponent("log"))
    for _ in 0..<2000 where !run.output.contains("progress: ") { usleep(5_000) }
    kill(run.process.processIdentifier, SIGINT)
    run.process.waitUntilExit()
    #expect(run.output.contains("resume with: scalesweep run"), "\(run.output)")
    let partial = try ResultsFile.read(path: out)
    #expect(partial.cells.contains { $0.status == .done })
    #expect(partial.cells.contains { $0.status == .pending })

    let hupOut = dir.appendingPathComponent("h.h5").path
    let hup = try Launched(
      [
        Harness.binary, "run", Self.slow, "--out", hupOut, "--progress-interval", "0.1", "--grace",
        "0",
      ],
      log: dir.appendingPathComponent("hup"))
    for _ in 0..<2000 where !hup.output.contains("progress: ") { usleep(5_000) }
    kill(hup.process.processIdentifier, SIGHUP)
    hup.process.waitUntilExit()
    #expect(hup.process.terminationStatus == 75, "\(hup.output)")
    #expect(hup.output.contains("interrupted (SIGHUP)"))

    // stdout is a pipe whose reader is gone before the first line.
    let closedOut = dir.appendingPathComponent("c.h5").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Harness.binary)
    process.arguments = ["run", Self.tiny, "--out", closedOut, "--progress-interval", "0"]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try pipe.fileHandleForReading.close()
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    #expect(try ResultsFile.read(path: closedOut).cells.allSatisfy { $0.status == .done })
  }

  /// Item 9: partial files of dead processes are removed by the next run on
  /// the path; `frontier --write` repeated leaves the file the same size.
  @Test func stalePartialsGoAndFrontierWriteDoesNotGrow() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("p.h5").path
    for pid in ["999999", "1"] {
      FileManager.default.createFile(atPath: "\(out).partial-\(pid)", contents: Data("x".utf8))
    }
    #expect(try Harness.scalesweep(["run", Self.tiny, "--out", out, "--quiet"]).status == 0)
    let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
    #expect(left == ["p.h5"], "\(left)")
    var sizes: [Int] = []
    for _ in 0..<2 {
      let write = try Harness.scalesweep(["frontier", out, "--write", "--bootstrap", "0"])
      #expect(write.status == 0, "\(write.stderr)")
      sizes.append(
        (try FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0)
    }
    #expect(sizes[1] == sizes[0], "\(sizes)")
    #expect(try ResultsFile.storedFrontier(path: out) != nil)
    #expect(try ResultsFile.read(path: out).damagedCells.isEmpty)
    let scales = try Harness.run(
      Harness.python,
      [
        "-c", "import h5py,sys; f=h5py.File(sys.argv[1]); print(f['loss/test'].dims[0][0].name)",
        out,
      ])
    #expect(scales.stdout.contains("/cell"), "\(scales.stderr)")
  }

  /// Item 10: one flipped value in /loss/test is reported by inspect and
  /// frontier, and --resume trains the cell again (back to the same bits).
  @Test func corruptedCellIsReportedAndRerun() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("c.h5").path
    #expect(try Harness.scalesweep(["run", Self.tiny, "--out", out, "--quiet"]).status == 0)
    let original = try ResultsFile.read(path: out)
    let flip = try Harness.run(
      Harness.python,
      [
        "-c",
        "import h5py,sys; f=h5py.File(sys.argv[1],'r+'); d=f['loss/test']; r=d[5]; r[3]=1e308; d[5]=r",
        out,
      ])
    #expect(flip.status == 0, "\(flip.stderr)")
    #expect(try ResultsFile.read(path: out).damagedCells == [5])
    let inspect = try Harness.scalesweep(["inspect", out])
    #expect(inspect.stdout.contains("damaged   cell 5"))
    let frontier = try Harness.scalesweep(["frontier", out, "--bootstrap", "0", "--write"])
    #expect(frontier.stderr.contains("do not match their checksum: 5"), "\(frontier.stderr)")
    // Rewriting the file for --write carries the stored checksum over: the
    // damage stays visible instead of being laundered.
    #expect(try ResultsFile.read(path: out).damagedCells == [5])
    let resume = try Harness.scalesweep(["run", Self.tiny, "--out", out, "--resume", "--quiet"])
    #expect(resume.status == 0)
    #expect(resume.stderr.contains("training them again"))
    let repaired = try ResultsFile.read(path: out)
    #expect(repaired.damagedCells.isEmpty)
    #expect(Harness.bits(repaired.testLoss) == Harness.bits(original.testLoss))
  }
}

/// Item 11 and the escaping rule, without processes.
@Suite struct HostileUnitTests {
  @Test func messageCountAboveInt32MaxThrows() throws {
    #expect(try Comm.messageCount(Int(Int32.max), to: 1) == Int32.max)
    #expect(throws: CommError.self) { try Comm.messageCount(Int(Int32.max) + 1, to: 1) }
  }

  @Test func everyControlCharacterIsSpelledOut() {
    #expect(
      TerminalText.line("a\u{1B}[31mb\nc\r\t\u{7F}\u{9B}\u{202E}")
        == "a\\e[31mb\\nc\\r\\t\\x7f\\x9b\\u{202e}")
    #expect(TerminalText.block("x\ny\u{1B}") == "x\ny\\e")
    #expect(TerminalText.shellWord("a\u{1B}b'c\n") == "$'a\\x1bb\\'c\\n'")
    #expect(TerminalText.shellWord("it's") == "'it'\\''s'")
    #expect(TerminalText.shellWord("out/x.h5") == "out/x.h5")
    #expect(TerminalText.line("plain ünïcode \\ text") == "plain ünïcode \\ text")
  }
}
