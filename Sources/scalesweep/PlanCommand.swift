import Distributed
import Foundation
import ResultStore
import SweepSpec

/// `scalesweep plan JOB [--ranks R] [--json]`: validate a job and estimate it.
enum PlanCommand {
  static let help = """
    usage: scalesweep plan JOB [--ranks R] [--json] [--set KEY=VALUE ...]
                               [--against FILE.h5]

    Validates JOB and prints what a run would do: cells, compute (FLOPs),
    estimated single-core time, the makespan on R ranks under largest-first
    scheduling, and memory per rank. Nothing is written.

      --ranks R           ranks to plan for (default 1)
      --json              machine-readable output
      --set KEY=VALUE     override a job key with a JSON value (repeatable)
      --against FILE.h5   compare with the job stored in FILE.h5: the cells
                          JOB adds and their cost (what run --resume would
                          train); a change to finished cells is refused
    """

  /// Estimates of a whole job.
  struct Estimate {
    var cells: Int
    /// Trainings that produce the cells (fewer when budgets are derived).
    var trainings: Int
    var computeFlops: Double
    var simulationFlops: Double
    var serialSeconds: Double
    var largestCellSeconds: Double
    var makespanSeconds: Double
    var memoryPerRankBytes: Double
  }

  /// Estimates for the cells `subset` (default: all) of `job`. Compute counts
  /// every cell; time counts trainings, so with a constant schedule a group of
  /// budgets costs its longest (``JobSpec/trainingRuns(of:)``).
  static func estimate(_ job: JobSpec, ranks: Int, subset: [Int]? = nil) -> Estimate {
    let cells = job.cells
    let chosen = subset ?? Array(cells.indices)
    let costs = chosen.map { job.cost(of: cells[$0]) }
    let runs = job.trainingRuns(of: chosen)
    let seconds = runs.map { job.cost(of: cells[$0.cell]).estimatedSeconds() }
    let order = Scheduler.largestFirst(Array(seconds.indices)) { seconds[$0] }
    return Estimate(
      cells: chosen.count,
      trainings: runs.count,
      computeFlops: zip(chosen, costs).reduce(0) {
        $0 + $1.1.flopsPerStep * Double(cells[$1.0].stepsBudget)
      },
      simulationFlops: runs.reduce(0) { $0 + job.cost(of: cells[$1.cell]).simulationFlops },
      serialSeconds: seconds.reduce(0, +),
      largestCellSeconds: seconds.max() ?? 0,
      makespanSeconds: Scheduler.simulatedMakespan(costs: order.map { seconds[$0] }, ranks: ranks),
      memoryPerRankBytes: costs.map(\.memoryBytes).max() ?? 0)
  }

  /// `plan JOB --against FILE`: what growing FILE's job to JOB adds.
  static func planGrowth(_ job: JobSpec, path: String, against: String, ranks: Int, json: Bool)
    throws -> Int32
  {
    let stored = try ResultsFile.read(path: against)
    let growth: JobGrowth
    do {
      growth = try job.growth(from: stored.job)
    } catch {
      throw ResultsError.jobMismatch(path: against, detail: error.description)
    }
    let unfinished = stored.cells.filter { $0.status == .pending }.map {
      growth.grownIndex[$0.cell.index]
    }
    let e = estimate(job, ranks: ranks, subset: growth.addedCells)
    let toRun = estimate(job, ranks: ranks, subset: (growth.addedCells + unfinished).sorted())
    if json {
      Output.line(
        Output.json([
          "job": job.name, "against": against, "stored_cells": stored.cells.count,
          "added_cells": e.cells, "grown_cells": job.cellCount,
          "pending_stored_cells": unfinished.count, "trainings_to_run": toRun.trainings,
          "added_compute_flops": e.computeFlops,
          "estimated_serial_seconds": toRun.serialSeconds,
          "estimated_makespan_seconds": toRun.makespanSeconds, "ranks": ranks,
        ]))
      return 0
    }
    Output.line("job \(job.name) (\(path)) against \(against): valid growth")
    Output.line(
      "  cells            \(stored.cells.count) stored + \(e.cells) added = \(job.cellCount)")
    Output.line(
      "  to run           \(toRun.cells) cells (\(unfinished.count) unfinished stored) in \(toRun.trainings) trainings"
    )
    Output.line(String(format: "  added compute    %.3g FLOP (model)", e.computeFlops))
    Output.line(
      "  estimated time   \(duration(toRun.serialSeconds)) on one core; makespan \(duration(toRun.makespanSeconds)) on \(ranks) rank\(ranks == 1 ? "" : "s")"
    )
    return 0
  }

  /// Refuses jobs whose largest cell would not fit in this machine's memory.
  static func checkMemory(_ job: JobSpec, file: String) throws(JobSpecError) {
    guard let total = Output.machineMemory else { return }
    let worst = job.cells.map { job.cost(of: $0).memoryBytes }.max() ?? 0
    if worst > total {
      throw .tooLarge(
        file: file, key: "grid.width",
        message: String(
          format: "largest cell needs about %.1f GiB, more than this machine's %.1f GiB",
          worst / 1_073_741_824, total / 1_073_741_824))
    }
  }

  static func run(_ words: [String]) throws -> Int32 {
    let args = try Arguments(
      words, command: "plan", flags: ["--json"], options: ["--ranks", "--against"],
      repeatable: ["--set"])
    let ranks = try args.integer("--ranks", command: "plan", in: 1...1_000_000) ?? 1
    let (path, job, _) = try args.job(command: "plan")
    try checkMemory(job, file: path)
    if let against = args.value("--against") {
      return try planGrowth(
        job, path: path, against: against, ranks: ranks, json: args.has("--json"))
    }
    let e = estimate(job, ranks: ranks)
    if args.has("--json") {
      Output.line(
        Output.json([
          "job": job.name, "model": job.model.kind, "ranks": ranks, "cells": e.cells,
          "compute_flops": e.computeFlops, "simulation_flops": e.simulationFlops,
          "estimated_serial_seconds": e.serialSeconds,
          "estimated_largest_cell_seconds": e.largestCellSeconds,
          "estimated_makespan_seconds": e.makespanSeconds,
          "memory_per_rank_bytes": e.memoryPerRankBytes,
          "recorded_steps": job.recordedSteps.count, "trainings": e.trainings,
        ]))
    } else {
      Output.line("job \(job.name) (\(path)): valid")
      Output.line("  model            \(job.model.kind)")
      Output.line(
        "  grid             \(job.tasks.count) task x \(job.grid.widths.count) width x \(job.grid.data.count) data x \(job.grid.gammas.count) gamma x \(job.grid.learningRates.count) lr x \(job.grid.batches.count) batch x \(job.grid.seeds.count) seed x \(job.grid.steps.count) budget = \(e.cells) cells"
      )
      if e.trainings < e.cells {
        Output.line(
          "  trainings        \(e.trainings) (constant schedule: shorter budgets are prefixes of the longest)"
        )
      }
      Output.line(
        String(
          format: "  compute          %.3g FLOP (model), %.3g FLOP simulated", e.computeFlops,
          e.simulationFlops))
      Output.line(
        "  estimated time   \(duration(e.serialSeconds)) on one core; largest cell \(duration(e.largestCellSeconds))"
      )
      Output.line(
        "  makespan         \(duration(e.makespanSeconds)) on \(ranks) rank\(ranks == 1 ? "" : "s") (largest-first)"
      )
      Output.line(String(format: "  memory per rank  %.1f MiB", e.memoryPerRankBytes / 1_048_576))
    }
    return 0
  }

  static func duration(_ s: Double) -> String {
    s < 1 ? String(format: "%.2fs", s) : ProgressReporter.duration(s)
  }
}
