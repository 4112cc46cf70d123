import Foundation
import ResultStore
import SweepSpec

/// `scalesweep inspect FILE.h5 [--json]`: what a results file holds.
enum InspectCommand {
  static let help = """
    usage: scalesweep inspect FILE.h5 [--json]

    Summarises a results file: the job, cells done / pending / diverged /
    failed, training time by rank, and where each run's ranks ran (host, CPU,
    BLAS library, version and kernel); says when a run is writing the file
    (in progress: do not resume it) and lists cells whose stored data do not
    match their checksum (damaged: --resume trains them again).

      --json   machine-readable output
    """

  static func run(_ words: [String]) throws -> Int32 {
    let args = try Arguments(words, command: "inspect", flags: ["--json"], options: [])
    let path = try args.single("results file", command: "inspect")
    let results = try ResultsFile.read(path: path)
    let live = ResultsFileLock.holder(of: path)
    var counts: [String: Int] = [:]
    for status in CellStatus.allCases { counts[status.name] = 0 }
    var secondsByRank: [Int: Double] = [:]
    var cellsByRank: [Int: Int] = [:]
    for record in results.cells {
      counts[record.status.name, default: 0] += 1
      if record.rank >= 0 {
        secondsByRank[record.rank, default: 0] += record.seconds
        cellsByRank[record.rank, default: 0] += 1
      }
    }
    let provenance = try ResultsFile.provenance(path: path)
    let diverged = results.cells.filter { $0.status == .diverged }
    let failed = results.cells.filter { $0.status == .failed }
    if args.has("--json") {
      Output.block(
        Output.json([
          "file": path, "job": results.job.name, "model": results.job.model.kind,
          "format_version": results.formatVersion, "scalesweep_version": results.scalesweepVersion,
          "created": results.created, "cells": results.cells.count, "status": counts,
          "recorded_steps": results.steps.count,
          "seconds_by_rank": Dictionary(
            uniqueKeysWithValues: secondsByRank.map { (String($0), $1) }),
          "cells_by_rank": Dictionary(uniqueKeysWithValues: cellsByRank.map { (String($0), $1) }),
          "diverged": diverged.map { ["cell": $0.cell.index, "step": $0.divergedStep ?? -1] },
          "failed": failed.map {
            ["cell": $0.cell.index, "error": $0.error ?? ""] as [String: Any]
          },
          "complete": counts["pending"] == 0,
          "notes": results.job.notes ?? "", "tags": results.job.tags,
          "derived": results.cells.filter(\.derived).count,
          "provenance": provenance.map(provenanceJSON),
          "in_progress": live.map { ["host": $0.host, "pid": $0.pid] as [String: Any] } ?? false,
          "damaged": results.damagedCells, "checksums": results.hasChecksums,
          "model_summary": modelSummary(results.job) ?? "",
        ]))
      return 0
    }
    let job = results.job
    Output.line(
      "\(path): ScaleSweep results, format \(results.formatVersion), written by \(results.scalesweepVersion) at \(results.created)"
    )
    Output.line("  job       \(job.name) (\(job.model.kind))")
    if let model = modelSummary(job) { Output.line("  model     \(model)") }
    if let notes = job.notes { Output.line("  notes     \(notes)") }
    if !job.tags.isEmpty { Output.line("  tags      \(job.tags.joined(separator: ", "))") }
    Output.line(
      "  grid      widths \(job.grid.widths), data \(job.grid.data.map(\.description)), gamma \(job.grid.gammas), \(job.grid.seeds.count) seed(s), budgets \(job.grid.steps)\(job.grid.learningRates.count > 1 ? ", \(job.grid.learningRates.count) learning rates" : "")\(job.grid.batches.count > 1 ? ", batches \(job.grid.batches)" : ""), schedule \(job.training.schedule.kind)"
    )
    let derived = results.cells.filter(\.derived).count
    if derived > 0 {
      Output.line("  derived   \(derived) cells recorded along a longer budget's training")
    }
    Output.line(
      "  cells     \(results.cells.count): \(counts["done"]!) done, \(counts["pending"]!) pending, \(counts["diverged"]!) diverged, \(counts["failed"]!) failed"
    )
    for record in diverged {
      Output.line(
        "  diverged  cell \(record.cell.index) (width \(record.cell.width), gamma \(record.cell.gamma), seed \(record.cell.seed)) at step \(record.divergedStep ?? -1)"
      )
    }
    for record in failed {
      Output.line(
        "  failed    cell \(record.cell.index) (width \(record.cell.width), gamma \(record.cell.gamma), seed \(record.cell.seed)): \(record.error ?? "no message")"
      )
    }
    for rank in secondsByRank.keys.sorted() {
      Output.line(
        String(
          format: "  rank %-4d %d cells, %.1fs training", rank, cellsByRank[rank] ?? 0,
          secondsByRank[rank] ?? 0))
    }
    if provenance.isEmpty {
      Output.line("  provenance not recorded (file written before ScaleSweep recorded it)")
    }
    for run in provenance {
      Output.line(
        "  run \(run.run)     started \(run.started) by scalesweep \(run.scalesweepVersion), \(run.ranks.count) rank\(run.ranks.count == 1 ? "" : "s"):"
      )
      for rank in run.ranks {
        Output.line(
          "    rank \(rank.rank): host \(rank.host), pid \(rank.pid), CPU \(rank.cpuModel), \(rank.blasLibrary) \(rank.blasVersion) kernel \(rank.blasKernel)"
        )
      }
    }
    for index in results.damagedCells {
      Output.line("  damaged   cell \(index): stored data do not match the cell's checksum")
    }
    if !results.damagedCells.isEmpty {
      Output.warning(
        ResultsError.damagedCells(path: path, cells: results.damagedCells).description
          + "; run --resume trains them again")
    }
    if let live {
      Output.line("  in progress: a run is writing this file (\(live)); do not resume it")
    } else if counts["pending"]! > 0 || !results.damagedCells.isEmpty {
      Output.line("  incomplete: continue with scalesweep run JOB --out \(path) --resume")
    }
    return 0
  }

  /// One run's provenance for `--json`.
  static func provenanceJSON(_ run: RunProvenance) -> [String: Any] {
    [
      "run": run.run, "started": run.started, "scalesweep_version": run.scalesweepVersion,
      "ranks": run.ranks.map {
        [
          "rank": $0.rank, "host": $0.host, "pid": $0.pid, "cpu_model": $0.cpuModel,
          "blas_library": $0.blasLibrary, "blas_version": $0.blasVersion,
          "blas_kernel": $0.blasKernel,
        ] as [String: Any]
      },
    ]
  }

  /// mlp-circle: depth, activation and each task's decay and phases.
  static func modelSummary(_ job: JobSpec) -> String? {
    guard case .mlpCircle(let spec) = job.model else { return nil }
    let tasks = job.tasks.map { task in
      "q = \(task.fourierDecay.map { String($0) } ?? "?") (\(task.phases.rawValue) phases)"
    }
    return
      "depth \(spec.depth), activation \(spec.activation.description), \(spec.modes) modes, \(spec.testPoints) test points; tasks \(tasks.joined(separator: ", "))"
  }
}
