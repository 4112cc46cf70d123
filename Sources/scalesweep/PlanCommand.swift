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
      Output.block(
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

  /// Says (on stderr) when a budget records fewer points than asked for.
  static func noteRecordPoints(_ job: JobSpec, file: String) {
    for (budget, points) in job.reducedRecordCounts {
      Output.warning(
        "\(file): training.record_points: \(job.training.recordPoints) asked, but a budget of \(budget) steps records \(points) (one per distinct step)"
      )
    }
  }

  static func run(_ words: [String]) throws -> Int32 {
    let args = try Arguments(
      words, command: "plan", flags: ["--json"], options: ["--ranks", "--against"],
      repeatable: ["--set"])
    let ranks = try args.integer("--ranks", command: "plan", in: 1...1_000_000) ?? 1
    let (path, job, _) = try args.job(command: "plan")
    try checkMemory(job, file: path)
    noteRecordPoints(job, file: path)
    if let against = args.value("--against") {
      return try planGrowth(
        job, path: path, against: against, ranks: ranks, json: args.has("--json"))
    }
    if case .command(let spec) = job.model {
      try planCommand(job, spec: spec, path: path, ranks: ranks, json: args.has("--json"))
      return 0
    }
    let e = estimate(job, ranks: ranks)
    if args.has("--json") {
      Output.block(
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

  /// A `command` job: its cost is the job's `cost` expression (relative
  /// units, no seconds) or unknown until cells finish.
  static func planCommand(_ job: JobSpec, spec: CommandSpec, path: String, ranks: Int, json: Bool)
    throws
  {
    let cells = job.cells
    let costs = cells.compactMap { job.handOutCost(of: $0) }
    let known = costs.count == cells.count
    let total = costs.reduce(0, +)
    let makespan =
      known
      ? Scheduler.simulatedMakespan(
        costs: SweepPlan(job: job, statuses: cells.map { _ in .pending }).pending.map {
          costs[$0]
        }, ranks: ranks) : .nan
    let flops = cells.reduce(0.0) { $0 + job.cost(of: $1).flopsPerStep * Double($1.stepsBudget) }
    if json {
      var object: [String: Any] = [
        "job": job.name, "model": job.model.kind, "ranks": ranks, "cells": cells.count,
        "cost_known": known, "recorded_steps": job.recordedSteps.count,
      ]
      if known {
        object["cost_expression"] = spec.cost?.text ?? ""
        object["total_cost"] = total
        object["makespan_cost"] = makespan
      }
      if flops.isFinite { object["compute_flops"] = flops }
      Output.line(Output.json(object))
      return
    }
    Output.line("job \(job.name) (\(path)): valid")
    Output.line("  model            command: \(spec.argv.joined(separator: " "))")
    Output.line(
      "  grid             \(job.tasks.count) task x \(job.grid.widths.count) width x \(job.grid.data.count) data x \(job.grid.gammas.count) gamma x \(job.grid.seeds.count) seed x \(job.grid.steps.count) budget = \(cells.count) cells"
    )
    if flops.isFinite {
      Output.line(String(format: "  compute          %.3g FLOP (flops_per_step x steps)", flops))
    } else {
      Output.line("  compute          unknown (no flops_per_step; a program may report flops)")
    }
    if known, let expression = spec.cost {
      Output.line(
        String(
          format: "  cost             %.4g units of \"%@\" in total; largest cell %.4g",
          total, expression.text, costs.max() ?? 0))
      Output.line(
        String(
          format:
            "  makespan         %.4g units on %d rank%@ (largest-first), %.0f%% of one rank's",
          makespan, ranks, ranks == 1 ? "" : "s", total > 0 ? 100 * makespan / total : 100))
      Output.line("  estimated time   unknown (cost units are the job's own)")
    } else {
      Output.line(
        "  cost             unknown: no \"cost\" in the job; cells go out in canonical order and the cost is learned from finished cells"
      )
    }
  }

  static func duration(_ s: Double) -> String {
    s < 1 ? String(format: "%.2fs", s) : ProgressReporter.duration(s)
  }
}
