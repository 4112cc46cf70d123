import Distributed
import Foundation
import SweepSpec

/// `scalesweep plan JOB [--ranks R] [--json]`: validate a job and estimate it.
enum PlanCommand {
  static let help = """
    usage: scalesweep plan JOB [--ranks R] [--json]

    Validates JOB and prints what a run would do: cells, compute (FLOPs),
    estimated single-core time, the makespan on R ranks under largest-first
    scheduling, and memory per rank. Nothing is written.

      --ranks R   ranks to plan for (default 1)
      --json      machine-readable output
    """

  /// Estimates of a whole job.
  struct Estimate {
    var cells: Int
    var computeFlops: Double
    var simulationFlops: Double
    var serialSeconds: Double
    var largestCellSeconds: Double
    var makespanSeconds: Double
    var memoryPerRankBytes: Double
  }

  static func estimate(_ job: JobSpec, ranks: Int) -> Estimate {
    let costs = job.cells.map { job.cost(of: $0) }
    let seconds = costs.map { $0.estimatedSeconds() }
    let order = Scheduler.largestFirst(Array(seconds.indices)) { seconds[$0] }
    return Estimate(
      cells: costs.count,
      computeFlops: zip(job.cells, costs).reduce(0) {
        $0 + $1.1.flopsPerStep * Double($1.0.stepsBudget)
      },
      simulationFlops: costs.reduce(0) { $0 + $1.simulationFlops },
      serialSeconds: seconds.reduce(0, +),
      largestCellSeconds: seconds.max() ?? 0,
      makespanSeconds: Scheduler.simulatedMakespan(costs: order.map { seconds[$0] }, ranks: ranks),
      memoryPerRankBytes: costs.map(\.memoryBytes).max() ?? 0)
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
    let args = try Arguments(words, command: "plan", flags: ["--json"], options: ["--ranks"])
    let path = try args.single("job file", command: "plan")
    let ranks = try args.integer("--ranks", command: "plan", in: 1...1_000_000) ?? 1
    let job = try JobSpec.load(path: path)
    try checkMemory(job, file: path)
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
          "recorded_steps": job.recordedSteps.count,
        ]))
    } else {
      Output.line("job \(job.name) (\(path)): valid")
      Output.line("  model            \(job.model.kind)")
      Output.line(
        "  grid             \(job.tasks.count) task x \(job.grid.widths.count) width x \(job.grid.data.count) data x \(job.grid.gammas.count) gamma x \(job.grid.seeds.count) seed x \(job.grid.steps.count) budget = \(e.cells) cells"
      )
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
