import Distributed
import Foundation
import ResultStore
import SweepSpec
import Training

/// `scalesweep run JOB --out FILE.h5`: train every cell over all MPI ranks.
enum RunCommand {
  static let help = """
    usage: [mpirun -np R] scalesweep run JOB --out FILE.h5 [--resume [--retry-failed] | --force]
                                         [--set KEY=VALUE ...] [--grace S] [--rank-timeout S]
                                         [--progress-interval S] [--quiet]

    Trains every cell of JOB, spreading cells over the MPI ranks (largest
    first, handed out as ranks become free) and writing each finished cell to
    FILE.h5 as it arrives. Without mpirun it runs as one rank.

      --out FILE.h5            results file (required)
      --resume                 continue FILE.h5: keep finished cells, run the rest;
                               JOB may grow the stored job (values added on grid
                               axes): finished cells are kept, new ones run
      --set KEY=VALUE          override a job key with a JSON value, e.g.
                               --set grid.width=[64,128] (repeatable; stored)
      --retry-failed           with --resume: train the failed cells again too
      --force                  overwrite an existing FILE.h5 (a regular file only,
                               never the job file)
      --grace S                on SIGTERM/SIGUSR1/SIGINT, finish a running cell
                               if it ends within S seconds, else abandon it
                               (default 20, as in the Slurm scripts: below
                               Slurm's default KillWait of 30 s, the time
                               between SIGTERM and SIGKILL, to leave room for
                               the flush); the run then exits with status 75
      --rank-timeout S         a rank silent for S seconds is lost: its cell goes
                               to another rank, the sweep goes on, and the run
                               exits with status 75 naming it; a rank that hears
                               nothing from rank 0 for S seconds stops
                               (default 120; ranks send heartbeats every S/5 s)
      --progress-interval S    seconds between progress lines (default 10)
      --quiet                  no progress lines

    One run writes a file at a time: another run on the same FILE.h5 (with or
    without --resume or --force) is refused while it is in progress.
    Exit status: 0 every cell finished (done or diverged), 3 every cell ran
    but some failed (retry them with --resume --retry-failed), 75 stopped by
    a signal with cells pending (continue with --resume), 2 bad input or a
    file in use, 1 runtime failure.
    """

  /// Seconds a stopping rank may spend finishing its cell. One default for
  /// `run` and the Slurm scripts: under Slurm, SIGTERM (preemption, scancel,
  /// `scontrol requeue`) is followed by SIGKILL after KillWait, 30 s by
  /// default, and the ranks must finish, report and flush before that.
  static let defaultGrace = 20.0

  static func run(_ words: [String]) throws -> Int32 {
    let args = try Arguments(
      words, command: "run", flags: ["--resume", "--force", "--quiet", "--retry-failed"],
      options: ["--out", "--progress-interval", "--grace", "--rank-timeout"], repeatable: ["--set"])
    let (jobPath, job, overrides) = try args.job(command: "run")
    guard let out = args.value("--out") else {
      throw UsageError(message: "scalesweep run: --out FILE.h5 is required")
    }
    if args.has("--resume") && args.has("--force") {
      throw UsageError(message: "scalesweep run: --resume and --force exclude each other")
    }
    if args.has("--retry-failed") && !args.has("--resume") {
      throw UsageError(message: "scalesweep run: --retry-failed needs --resume")
    }
    let interval = try args.number("--progress-interval", command: "run", atLeast: 0) ?? 10
    let grace = try args.number("--grace", command: "run", atLeast: 0) ?? defaultGrace
    let rankTimeout =
      try args.number("--rank-timeout", command: "run", atLeast: 0.2)
      ?? Liveness.defaultRankTimeout
    // Validate everything before MPI starts or any file is touched.
    try PlanCommand.checkMemory(job, file: jobPath)
    if Output.launcherRank == 0 { PlanCommand.noteRecordPoints(job, file: jobPath) }

    let comm = try Comm.world()
    // MPI_Finalize waits for every rank: never call it once a rank is lost.
    var finalize = true
    defer { if finalize { comm.finalize() } }
    // Every rank must run this job into this file with this tool (refused on every rank).
    let identities = try Handshake.exchange(
      identity(comm: comm, jobPath: jobPath, job: job, out: out), comm: comm)
    StopSignal.install()
    BLAS.useSingleThread()
    let checkpoints = checkpointRoot(results: out)
    var runner = job.makeRunner(checkpointRoot: checkpoints, stopGrace: grace)
    if !injectedFailures.isEmpty {
      runner = FailureInjectingRunner(base: runner, failing: injectedFailures, job: job)
    }
    var sweep = SweepRunner(comm: comm, job: job, runner: runner)
    sweep.gracePeriod = grace
    sweep.liveness = Liveness(rankTimeout: rankTimeout)
    guard comm.rank == 0 else {
      // A worker exits 0 even when interrupted: only rank 0 reports it, since a
      // worker exiting non-zero would make mpirun abort before rank 0 closed the file.
      let summary = try sweep.run(plan: nil, recorder: nil, progress: nil)
      traceHandOuts(summary, rank: comm.rank)
      if summary.coordinatorLost {
        Output.error(
          "rank \(comm.rank) (\(comm.hostName)): nothing from rank 0 for \(Output.seconds(rankTimeout)); stopping"
        )
        // A cell may still be training on another thread, and MPI_Finalize
        // would wait for rank 0: leave at once, running no exit handlers.
        _exit(interruptedStatus)
      }
      return 0
    }

    let writer: ResultsWriter
    do {
      if args.has("--resume") && FileManager.default.fileExists(atPath: out) {
        writer = try ResultsWriter.resume(
          path: out, job: job, retryFailed: args.has("--retry-failed"))
      } else {
        writer = try ResultsWriter.create(
          path: out, job: job, overwrite: args.has("--force"), protecting: [jobPath])
        // A new file starts every cell afresh: no earlier run's checkpoints.
        try? FileManager.default.removeItem(atPath: checkpoints)
      }
    } catch {
      try sweep.dismissWorkers()
      throw error
    }
    let cells = job.cells
    let sets = overrides.map { " --set \(shellQuoted($0.text))" }.joined()
    let resumeHint =
      "scalesweep run \(shellQuoted(jobPath))\(sets) --out \(shellQuoted(out)) --resume"
    if !writer.damagedCells.isEmpty {
      Output.warning(
        ResultsError.damagedCells(path: out, cells: writer.damagedCells).description
          + "; training them again")
    }
    let plan = SweepPlan(job: job, statuses: writer.statuses)
    if plan.pending.isEmpty {
      try sweep.dismissWorkers()
      Output.line("\(out): all \(cells.count) cells already finished; nothing to do")
      return finalStatus(writer, resumeHint: resumeHint)
    }
    // Which ranks of this run trained the cells it writes: one entry per run.
    try writer.recordProvenance(identities.map(provenance))
    let trainings = plan.runs.count < plan.pending.count ? " in \(plan.runs.count) trainings" : ""
    Output.line(
      "scalesweep \(ScaleSweepVersion.current): job \(job.name), \(cells.count) cells (\(plan.pending.count) to run\(trainings)) on \(comm.size) rank\(comm.size == 1 ? "" : "s"), writing \(out)"
    )
    Output.line("if stopped, continue with: \(resumeHint)")
    Output.line(Startup.kernel.description)
    if let split = Handshake.kernelSplit(identities) {
      let groups = split.keys.sorted().map {
        "\($0) on rank\(split[$0]!.count == 1 ? "" : "s") \(split[$0]!.map(String.init).joined(separator: ","))"
      }
      Output.warning(
        "ranks use different BLAS kernels (\(groups.joined(separator: "; "))): results will not be bit-identical across them"
      )
    }
    let progress = plan.progressReporter(interval: interval, enabled: !args.has("--quiet"))
    let summary: SweepRunner.Summary
    do {
      summary = try sweep.run(plan: plan, recorder: writer, progress: progress)
    } catch {
      // Workers wait for rank 0: a failure here must end every rank, or the
      // job would hang. What is in the file stays; the run resumes.
      Output.line("resume with: \(resumeHint)")
      if comm.size > 1 {
        Output.error("\(error)")
        comm.abort(code: 1)
      }
      throw error
    }
    traceHandOuts(summary, rank: 0)
    let counts = Dictionary(grouping: writer.statuses, by: { $0 }).mapValues(\.count)
    Output.line(
      String(
        format:
          "finished: %d cells run in %.1fs; file has %d done, %d diverged, %d failed, %d pending",
        summary.cellsRun, summary.makespan, counts[.done] ?? 0, counts[.diverged] ?? 0,
        counts[.failed] ?? 0, counts[.pending] ?? 0))
    let stillPending = counts[.pending] ?? 0
    if stillPending == 0 {
      rmdir(checkpoints)  // empty once every cell is finished; kept otherwise
    }
    if !summary.lost.isEmpty {
      // The lost ranks never reach MPI_Finalize; ending here makes mpirun end them.
      finalize = false
      let names = summary.lost.map { "\($0.rank) (\($0.host.isEmpty ? "host unknown" : $0.host))" }
      Output.line(
        "lost rank\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")): silent for \(Output.seconds(rankTimeout)); \(stillPending) cells pending; resume with: \(resumeHint)"
      )
      return interruptedStatus
    }
    if stillPending > 0 {
      Output.line(
        "interrupted (\(StopSignal.name)): \(stillPending) cells pending; resume with: \(resumeHint)"
      )
      return interruptedStatus
    }
    return finalStatus(writer, resumeHint: resumeHint)
  }

  /// This rank's identity for the start-up handshake and the provenance.
  static func identity(comm: Comm, jobPath: String, job: JobSpec, out: String) -> RankIdentity {
    let library = BLASLibrary.current
    return RankIdentity(
      rank: comm.rank, toolVersion: ScaleSweepVersion.current, jobFile: jobPath,
      jobDigest: job.normalizedDigest,
      outputPath: URL(fileURLWithPath: out).standardizedFileURL.path, host: comm.hostName,
      pid: Int(ProcessInfo.processInfo.processIdentifier), cpuModel: CPUFeatures.brand,
      blasLibrary: library.name, blasVersion: library.version, blasKernel: BLAS.coreName)
  }

  static func provenance(_ identity: RankIdentity) -> RankProvenance {
    RankProvenance(
      rank: identity.rank, host: identity.host, pid: identity.pid, cpuModel: identity.cpuModel,
      blasLibrary: identity.blasLibrary, blasVersion: identity.blasVersion,
      blasKernel: identity.blasKernel)
  }

  /// 0 when no cell failed; else the failed cells are named and the run
  /// exits with ``failedCellsStatus``.
  static func finalStatus(_ writer: ResultsWriter, resumeHint: String) -> Int32 {
    let failed = writer.statuses.filter { $0 == .failed }.count
    guard failed > 0 else { return 0 }
    Output.line(
      "\(failed) of \(writer.statuses.count) cells failed; retry them with: \(resumeHint) --retry-failed"
    )
    return failedCellsStatus
  }

  /// Exit status of a run that ended with failed cells and none pending:
  /// batch scripts do not requeue on it (a rerun would fail the same way).
  static let failedCellsStatus: Int32 = 3

  /// Cells to fail on purpose (`SCALESWEEP_FAIL_CELLS=3,5`): a testing hook that
  /// proves a throwing cell is recorded as failed while the sweep goes on.
  static var injectedFailures: Set<Int> {
    let text = ProcessInfo.processInfo.environment["SCALESWEEP_FAIL_CELLS"] ?? ""
    return Set(
      text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) })
  }

  /// With `SCALESWEEP_TRACE_HANDOUTS=1` (for bench/coordinator.sh), one
  /// line per rank on stderr: how long its requests for work waited.
  static func traceHandOuts(_ summary: SweepRunner.Summary, rank: Int) {
    guard ProcessInfo.processInfo.environment["SCALESWEEP_TRACE_HANDOUTS"] == "1" else { return }
    let waits = summary.handOutWaits.map { $0 * 1000 }
    if rank == 0 {
      FileHandle.standardError.write(
        Data(
          String(
            format: "coordinator: %.3f s CPU for %d cells (%.3f ms per cell)\n",
            summary.coordinatorCPUSeconds, summary.cellsRun,
            summary.coordinatorCPUSeconds * 1000 / Double(max(summary.cellsRun, 1))
          ).utf8))
    }
    FileHandle.standardError.write(
      Data(
        String(
          format: "hand-outs: rank %d, %d requests, first %.3f ms, max %.3f ms, mean %.3f ms\n",
          rank, waits.count, waits.first ?? .nan, waits.max() ?? .nan,
          waits.isEmpty ? .nan : waits.reduce(0, +) / Double(waits.count)
        ).utf8))
  }

  /// Exit status of a run stopped by a signal with cells left (EX_TEMPFAIL):
  /// batch scripts requeue on it.
  static let interruptedStatus: Int32 = 75

  /// `text` as one shell word, on one line (``TerminalText/shellWord(_:)``).
  static func shellQuoted(_ text: String) -> String { TerminalText.shellWord(text) }

  /// `FILE.h5.checkpoints`, absolute: the per-cell checkpoint directories of
  /// a `command` job live there, beside the results file.
  static func checkpointRoot(results: String) -> String {
    URL(fileURLWithPath: results).standardizedFileURL.path + ".checkpoints"
  }
}
