import Foundation
import SweepSpec
import Training

/// `scalesweep bench [--json]`: training-step speed of each model against
/// single-core sgemm, measured in the same run.
enum BenchCommand {
  static let help = """
    usage: scalesweep bench [--widths LIST] [--batches LIST] [--depth D]
                            [--models LIST] [--precisions LIST] [--seconds S]
                            [--cell-widths LIST | --no-cells] [--json]

    Times full training steps (data, forward, backward, update; no setup, no
    loss records) of each model on one core, then whole cells (set-up,
    evaluations and records included). The yardstick is the best
    single-precision sgemm (1024^3) this machine does: every OpenBLAS kernel
    table the CPU can run is timed in its own child process, next to the
    kernel in use here. Reports steps/s, GFLOP/s and that rate as a fraction
    of the best sgemm.

      --widths LIST       comma-separated widths (default 64,128,256,512,1024,2048)
      --batches LIST      batch sizes (default: 32 for projected-features and
                          64 for mlp-circle, the sizes jobs/ uses)
      --depth D           mlp-circle depth (default 3)
      --models LIST       projected-features,mlp-circle (default both)
      --precisions LIST   mlp-circle precisions: single,double (default both)
      --seconds S         timed seconds per configuration (default 0.5)
      --cell-widths LIST  widths of the whole-cell rows (default 512): an
                          mlp-circle cell (depth D, B = 128, 1500 steps, online,
                          4 records, single) and a projected-features cell
                          (M = 4N, B = 32, 4000 steps, gamma 1, 10 records);
                          GFLOP/s count the model's own forward and backward
      --no-cells          no whole-cell rows
      --json              machine-readable output
    """

  struct Row {
    var model: String
    var precision: String
    var width: Int
    var batch: Int
    var steps: Int
    var stepsPerSecond: Double
    /// Products the simulation executes per step (for mlp-circle: the
    /// network's forward and backward plus the frozen initial network's forward).
    var executedFlopsPerStep: Double
    /// The model's compute per step (`/cells/flops_per_step`).
    var modelFlopsPerStep: Double

    var gflops: Double { executedFlopsPerStep * stepsPerSecond / 1e9 }
  }

  static func run(_ words: [String]) throws -> Int32 {
    let args = try Arguments(
      words, command: "bench", flags: ["--json", "--no-cells"],
      options: [
        "--widths", "--batches", "--depth", "--models", "--precisions", "--seconds",
        "--cell-widths",
      ])
    guard args.positionals.isEmpty else {
      throw UsageError(message: "scalesweep bench: unexpected argument \(args.positionals[0])")
    }
    let widths = try integers(
      args.value("--widths") ?? "64,128,256,512,1024,2048", option: "--widths")
    let batches = try args.value("--batches").map { try integers($0, option: "--batches") }
    let depth = try args.integer("--depth", command: "bench", in: 3...64) ?? 3
    let seconds = try args.number("--seconds", command: "bench", atLeast: 0.01) ?? 0.5
    let models = (args.value("--models") ?? "projected-features,mlp-circle").split(separator: ",")
      .map(String.init)
    for m in models where !["projected-features", "mlp-circle"].contains(m) {
      throw UsageError(
        message: "scalesweep bench: --models: unknown model \(m) (projected-features, mlp-circle)")
    }
    let precisions = try (args.value("--precisions") ?? "single,double").split(separator: ",").map {
      guard let p = MLPCircleTrainer.Precision(rawValue: String($0)) else {
        throw UsageError(
          message: "scalesweep bench: --precisions: unknown precision \($0) (single, double)")
      }
      return p
    }

    let cellWidths =
      args.has("--no-cells")
      ? [] : try integers(args.value("--cell-widths") ?? "512", option: "--cell-widths")

    BLAS.useSingleThread()
    let json = args.has("--json")
    if !json { Output.line(Startup.kernel.description) }
    let yardstick = BenchYardstick.measure()
    let sgemm = yardstick.best.gflops
    var rows: [Row] = []
    if !json {
      yardstick.lines.forEach(Output.line)
      Output.line("steps (no set-up, no records), GFLOP/s of the products executed:")
      Output.line("model               precision  width  batch    steps/s   GFLOP/s   of best")
    }
    for model in models {
      for batch in batches ?? [model == "mlp-circle" ? 64 : 32] {
        for width in widths {
          let configurations: [MLPCircleTrainer.Precision?] =
            model == "mlp-circle" ? precisions.map { $0 } : [nil]
          for precision in configurations {
            let row = try measure(
              model: model, precision: precision, width: width, batch: batch, depth: depth,
              seconds: seconds)
            rows.append(row)
            if !json {
              Output.line(
                String(
                  format: "%-19@ %-9@ %6d %6d %10.1f %9.2f %8.0f%%", row.model as NSString,
                  row.precision as NSString, row.width, row.batch, row.stepsPerSecond, row.gflops,
                  100 * row.gflops / sgemm))
            }
          }
        }
      }
    }
    var cellRows: [Row] = []
    if !cellWidths.isEmpty && !json {
      Output.line("whole cells (set-up, evaluations, records), GFLOP/s of the model's own FLOPs:")
      Output.line("model               precision  width  batch    steps/s   GFLOP/s   of best")
    }
    for width in cellWidths {
      for model in models {
        let row = try wholeCell(model: model, width: width, depth: depth)
        cellRows.append(row)
        if !json {
          Output.line(
            String(
              format: "%-19@ %-9@ %6d %6d %10.1f %9.2f %8.0f%%", (row.model + " cell") as NSString,
              row.precision as NSString, row.width, row.batch, row.stepsPerSecond, row.gflops,
              100 * row.gflops / sgemm))
        }
      }
    }
    if json {
      Output.block(
        Output.json([
          "sgemm_gflops": sgemm, "core": BLAS.coreName, "yardstick": yardstick.json,
          "cells": cellRows.map {
            [
              "model": $0.model, "precision": $0.precision, "width": $0.width, "batch": $0.batch,
              "steps": $0.steps, "steps_per_second": $0.stepsPerSecond,
              "model_flops_per_step": $0.modelFlopsPerStep, "gflops": $0.gflops,
              "fraction_of_sgemm": $0.gflops / sgemm,
            ] as [String: Any]
          },
          "rows": rows.map {
            [
              "model": $0.model, "precision": $0.precision, "width": $0.width, "batch": $0.batch,
              "steps": $0.steps, "steps_per_second": $0.stepsPerSecond,
              "executed_flops_per_step": $0.executedFlopsPerStep,
              "model_flops_per_step": $0.modelFlopsPerStep, "gflops": $0.gflops,
              "fraction_of_sgemm": $0.gflops / sgemm,
            ] as [String: Any]
          },
        ]))
    }
    return 0
  }

  static func integers(_ text: String, option: String) throws(UsageError) -> [Int] {
    var out: [Int] = []
    for part in text.split(separator: ",") {
      guard let v = Int(part), (1...65_536).contains(v) else {
        throw UsageError(
          message: "scalesweep bench: \(option) \(text): expected integers from 1 to 65536")
      }
      out.append(v)
    }
    if out.isEmpty { throw UsageError(message: "scalesweep bench: \(option): empty list") }
    return out
  }

  /// A one-cell job of `model` at `width` and `batch` (rich cells: the costlier regime).
  static func job(model: String, width: Int, batch: Int, depth: Int, steps: Int) -> JobSpec {
    let modelSpec: ModelSpec
    let task: TaskSpec
    if model == "mlp-circle" {
      // The smallest test grid that resolves 512 modes keeps setup cheap; it does
      // not enter the step.
      modelSpec = .mlpCircle(MLPCircleSpec(depth: depth, testPoints: 1025, modes: 512))
      task = TaskSpec(fourierDecay: 1)
    } else {
      modelSpec = .projectedFeatures(features: 2 * width)
      task = TaskSpec(alpha: 2, beta: 0.5)
    }
    return JobSpec(
      name: "bench", model: modelSpec, tasks: [task],
      grid: GridSpec(
        widths: [width], data: [.online], gammas: [1], seeds: [0], steps: [steps],
        learningRates: [.constant(1e-3)], batches: [batch]),
      training: TrainingSpec(recordPoints: 2))
  }

  /// A whole cell, timed from the trainer's start to its outcome: set-up,
  /// every step, evaluations and records. FLOPs: the model's own per step.
  static func wholeCell(model: String, width: Int, depth: Int) throws -> Row {
    let job: JobSpec
    if model == "mlp-circle" {
      job = JobSpec(
        name: "bench-cell",
        model: .mlpCircle(MLPCircleSpec(depth: depth, testPoints: 4096, modes: 512)),
        tasks: [TaskSpec(fourierDecay: 1)],
        grid: GridSpec(
          widths: [width], data: [.online], gammas: [1], seeds: [0], steps: [1500],
          learningRates: [.constant(0.5)], batches: [128]),
        training: TrainingSpec(recordPoints: 4))
    } else {
      job = JobSpec(
        name: "bench-cell", model: .projectedFeatures(features: 4 * width),
        tasks: [TaskSpec(alpha: 2, beta: 0.5)],
        grid: GridSpec(
          widths: [width], data: [.online], gammas: [1], seeds: [0], steps: [4000],
          learningRates: [.constant(0.05)], batches: [32]),
        training: TrainingSpec(recordPoints: 10))
    }
    let cell = job.cells[0]
    let runner: any CellRunner =
      model == "mlp-circle" ? MLPCircleTrainer(job: job, precision: .single) : job.makeRunner()
    let start = MonotonicClock.seconds()
    guard let outcome = try runner.run(cell, supervisor: UnsupervisedCell()) else {
      throw UsageError(message: "scalesweep bench: the whole-cell run of \(model) was stopped")
    }
    let seconds = MonotonicClock.seconds() - start
    let steps = outcome.divergedStep ?? cell.stepsBudget
    let flops = job.cost(of: cell).flopsPerStep
    return Row(
      model: model, precision: model == "mlp-circle" ? "single" : "double", width: width,
      batch: cell.batch, steps: steps, stepsPerSecond: Double(steps) / seconds,
      executedFlopsPerStep: flops, modelFlopsPerStep: flops)
  }

  /// Times the steps between the first and the last (which carry the loss records).
  static func measure(
    model: String, precision: MLPCircleTrainer.Precision?, width: Int, batch: Int, depth: Int,
    seconds: Double
  ) throws -> Row {
    let probe = job(model: model, width: width, batch: batch, depth: depth, steps: 1000)
    let cell = probe.cells[0]
    let cost = probe.cost(of: cell)
    var longer = cell
    longer.stepsBudget = 2000
    // Simulated work per step: the cost model's difference between two budgets.
    let perStep = (probe.cost(of: longer).simulationFlops - cost.simulationFlops) / 1000
    let executed: Double
    if model == "mlp-circle" {
      let n = Double(width)
      let b = Double(batch)
      executed = cost.flopsPerStep + 2 * b * n * (Double(depth - 2) * n + 3)
    } else {
      executed = perStep
    }
    // A short warm-up run sizes the timed run.
    let warm = try timeSteps(
      job(model: model, width: width, batch: batch, depth: depth, steps: 6), precision: precision)
    let steps = max(5, min(100_000, Int(seconds * warm.rate) + 2))
    let timed = try timeSteps(
      job(model: model, width: width, batch: batch, depth: depth, steps: steps),
      precision: precision)
    return Row(
      model: model, precision: precision?.rawValue ?? "double", width: width, batch: batch,
      steps: timed.steps, stepsPerSecond: timed.rate, executedFlopsPerStep: executed,
      modelFlopsPerStep: cost.flopsPerStep)
  }

  static func timeSteps(_ job: JobSpec, precision: MLPCircleTrainer.Precision?) throws -> (
    steps: Int, rate: Double
  ) {
    let runner: any CellRunner =
      precision.map { MLPCircleTrainer(job: job, precision: $0) } ?? job.makeRunner()
    let budget = job.cells[0].stepsBudget
    let timer = StepTimer(budget: budget)
    _ = try runner.run(job.cells[0], supervisor: timer)
    let timedSteps = budget - 2
    return (timedSteps, Double(timedSteps) / max(timer.end - timer.start, 1e-9))
  }

  /// Notes the time after the first step and before the last (which records losses).
  final class StepTimer: CellSupervisor {
    let budget: Int
    var start = 0.0
    var end = 0.0

    init(budget: Int) { self.budget = budget }

    func directive(afterStep step: Int) -> CellDirective {
      if step == 1 { start = MonotonicClock.seconds() }
      if step == budget - 1 { end = MonotonicClock.seconds() }
      return .proceed
    }
  }
}
