import Foundation
import Testing

/// What `run` does before training: the BLAS kernel choice (and its line),
/// the handshake that every rank runs the same job, and the provenance that
/// `inspect --json` shows.
@Suite struct StartupTests {
  /// `env -u OPENBLAS_CORETYPE VARS... scalesweep ARGS` (the machine may set
  /// OPENBLAS_CORETYPE; these tests decide it themselves).
  func scalesweep(ranks: Int, _ variables: [String], _ arguments: [String]) throws -> CommandResult
  {
    let launch =
      ranks == 1
      ? [Harness.binary]
      : ["/usr/bin/mpirun", "--oversubscribe", "-np", String(ranks), Harness.binary]
    return try Harness.run(
      "/usr/bin/env", ["-u", "OPENBLAS_CORETYPE"] + variables + launch + arguments)
  }

  /// `inspect --json`'s provenance: each run's ranks' kernels.
  func kernels(_ path: String) throws -> [[String]] {
    let result = try Harness.scalesweep(["inspect", path, "--json"])
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
    let runs = object["provenance"] as! [[String: Any]]
    return runs.map { ($0["ranks"] as! [[String: Any]]).map { $0["blas_kernel"] as! String } }
  }

  var cpuHasAVX: Bool {
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    return info.contains(" avx ")
  }

  /// A library that chose Prescott on a CPU with AVX is made to use a better
  /// table, alone and under mpirun (the process re-executes itself before MPI
  /// starts), and the line and the provenance say so.
  @Test func weakLibraryChoiceIsUpgradedStandaloneAndUnderMPI() throws {
    guard cpuHasAVX else { return }  // no better table exists on this CPU
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    for ranks in [1, 2] {
      let out = dir.appendingPathComponent("up\(ranks).h5").path
      let result = try scalesweep(
        ranks: ranks, ["OPENBLAS_CORETYPE=Prescott", "SCALESWEEP_TEST_CORETYPE_IS_LIBRARY=1"],
        ["run", Harness.fixture("tiny.json"), "--out", out, "--quiet"])
      #expect(result.status == 0, "\(result.stderr)")
      let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("BLAS: ") } ?? ""
      #expect(line.contains("(the library chose Prescott"), "\(result.stdout)")
      let used = try kernels(out)
      #expect(used.count == 1 && used[0].count == ranks)
      #expect(used[0].allSatisfy { $0 != "Prescott" && line.contains("kernel \($0) ") }, "\(used)")
    }
  }

  /// The user's OPENBLAS_CORETYPE is obeyed and said to be theirs; ranks on
  /// different kernels get a warning that results will not be bit-identical.
  @Test func userKernelWinsAndMixedKernelsWarn() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("mixed.h5").path
    let run = ["run", Harness.fixture("tiny.json"), "--out", out, "--quiet"]
    let result = try Harness.run(
      "/usr/bin/mpirun",
      ["--oversubscribe", "-np", "1", "/usr/bin/env", "OPENBLAS_CORETYPE=Prescott", Harness.binary]
        + run + [":", "-np", "1", "/usr/bin/env", "OPENBLAS_CORETYPE=Core2", Harness.binary] + run)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(
      result.stdout.contains(
        "BLAS: OpenBLAS")
        && result.stdout.contains("kernel Prescott (OPENBLAS_CORETYPE set by the user)"),
      "\(result.stdout)")
    #expect(
      result.stderr.contains(
        "ranks use different BLAS kernels (Core2 on rank 1; Prescott on rank 0): results will not be bit-identical"
      ), "\(result.stderr)")
    #expect(try kernels(out) == [["Prescott", "Core2"]])
  }

  /// Issue 12 item 4: ranks started on different jobs (lr differs) or
  /// different outputs are refused on every rank, exit 2, one line, no file.
  @Test func ranksOnDifferentJobsOrOutputsAreRefused() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let jobA = Harness.fixture("slow.json")
    let jobB = dir.appendingPathComponent("slowB.json").path
    let text = try String(contentsOfFile: jobA, encoding: .utf8)
    try text.replacingOccurrences(of: "\"0\": 0.5", with: "\"0\": 0.1").write(
      toFile: jobB, atomically: true, encoding: .utf8)
    let out = dir.appendingPathComponent("m.h5").path
    let cases: [(b: [String], differs: String)] = [
      (["run", jobB, "--out", out, "--quiet"], "job (\(jobB), digest "),
      (["run", jobA, "--out", out + "x", "--quiet"], "output (\(out)x vs \(out))"),
    ]
    for (second, differs) in cases {
      let result = try Harness.run(
        "/usr/bin/mpirun",
        [
          "--oversubscribe", "-np", "1", Harness.binary, "run", jobA, "--out", out, "--quiet", ":",
          "-np", "1", Harness.binary,
        ] + second)
      #expect(result.status == 2, "\(result.stdout) \(result.stderr)")
      let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
      #expect(errors.count == 1, "\(result.stderr)")
      #expect(
        errors.first?.contains("rank 1 was not started like rank 0: \(differs)") == true,
        "\(errors)")
      #expect(!FileManager.default.fileExists(atPath: out))
      #expect(!result.stdout.contains("finished"))
    }
  }

  /// A file written with the old random stream (format 1, Box-Muller normals)
  /// is not resumed: its cells would not continue bit for bit.
  @Test func resumeOfAFileFromTheOldStreamIsRefused() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("old.h5").path
    let job = Harness.fixture("tiny.json")
    let first = try Harness.run(
      Harness.binary, ["run", job, "--out", out, "--quiet"],
      environment: ["SCALESWEEP_FAIL_CELLS": "3"])
    // Exit status 3: the run ended with a failed cell (the injected one).
    #expect(first.status == 3, "\(first.stderr)")
    // Mark it as written by the old stream, and one cell pending.
    let edit = try Harness.run(
      Harness.python,
      [
        "-c",
        "import h5py, sys; f = h5py.File(sys.argv[1], 'r+'); f.attrs['format_version'] = 1; f['cells/status'][3] = 0",
        out,
      ])
    #expect(edit.status == 0, "\(edit.stderr)")
    let resumed = try Harness.scalesweep(["run", job, "--out", out, "--resume", "--quiet"])
    #expect(resumed.status == 2)
    #expect(
      resumed.stderr.contains(
        "cannot resume: written in format 1 with Box-Muller normals, this ScaleSweep draws ziggurat normals"
      ), "\(resumed.stderr)")
    #expect(resumed.stderr.split(separator: "\n").count == 1)
  }
}
