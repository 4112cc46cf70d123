import Foundation
import Frontier
import SweepSpec
import Training

/// `scalesweep theory JOB [--json]`: the paper's predicted exponents for each task of a job.
enum TheoryCommand {
  static let help = """
    usage: scalesweep theory JOB [--ntk-width N] [--json]

    For each task of JOB: the capacity exponent alpha, the source exponent
    beta, the task class (hard / easy / super-easy) and the predicted
    exponents, lazy and rich: L(t) ~ t^-chi, L(N) ~ N^-w at long time, and the
    compute-optimal L* ~ C^-a, N* ~ C^b, t* ~ C^c, both for the paper's
    C = N t and for C = FLOPs (C = N^p t, p the FLOPs-per-step power of width).

    projected-features: alpha and beta are the job's.
    mlp-circle: alpha is measured from the initial network's NTK on the circle
    (rotation invariant, so its eigenvalues are the Fourier coefficients of
    K(theta); fitted over modes 4 to 64 on 512 angles, two initialisations),
    and beta = (2 q - 1) / alpha with q fitted to the target's coefficients.

      --ntk-width N   width of the network whose NTK is measured (default:
                      the job's largest width, at most 512)
      --json          machine-readable output
    """

  static func run(_ words: [String]) throws -> Int32 {
    let args = try Arguments(words, command: "theory", flags: ["--json"], options: ["--ntk-width"])
    let path = try args.single("job file", command: "theory")
    let job = try JobSpec.load(path: path)
    if case .command = job.model {
      throw UsageError(
        message:
          "\(path): model.kind command: no theory (its task has no alpha and beta); fit the runs with scalesweep frontier"
      )
    }
    let ntkWidth =
      try args.integer("--ntk-width", command: "theory", in: 8...4096)
      ?? min(job.grid.widths.max() ?? 256, 512)
    BLAS.useSingleThread()

    // Measured alpha (mlp-circle) once per job: the NTK does not depend on the task.
    var spectrum: CircleKernelSpectrum?
    if case .mlpCircle(let spec) = job.model {
      spectrum = CircleKernelSpectrum(
        width: ntkWidth, depth: spec.depth, points: 512, seeds: [0, 1])
    }
    let power = flopsWidthPower(job)
    var reports: [[String: Any]] = []
    var lines: [String] = ["job \(job.name) (\(job.model.kind))"]
    for (index, task) in job.tasks.enumerated() {
      var alpha = task.alpha
      var beta = task.beta
      var entry: [String: Any] = ["task": index]
      if let spectrum, let target = CircleTarget.of(job: job, task: index, seed: 0) {
        alpha = spectrum.capacityExponent()
        let q = target.fittedDecay()
        beta = (2 * q - 1) / alpha
        entry["q"] = q
        entry["ntk_width"] = spectrum.width
        entry["ntk_eigenvalues"] = Array(spectrum.eigenvalues.prefix(65))
        lines.append(
          String(
            format:
              "task %d: q = %.3f; alpha = %.3f measured (NTK of width %d, depth %d; nominal 2), beta = (2q - 1)/alpha = %.3f",
            index, q, alpha, spectrum.width, spectrum.depth, beta))
      } else {
        lines.append(
          String(format: "task %d: alpha = %.3f, beta = %.3f (from the job)", index, alpha, beta))
      }
      entry["alpha"] = alpha
      entry["beta"] = beta
      var regimes: [String: Any] = [:]
      for regime in TrainingRegime.allCases {
        let theory = try ScalingTheory(alpha: alpha, beta: beta, regime: regime)
        entry["task_class"] = theory.taskClass.rawValue
        let paper = theory.computeOptimal()
        let flops = theory.computeOptimal(computeWidthPower: power)
        regimes[regime.rawValue] = [
          "time": theory.timeExponent, "width": theory.widthExponent,
          "paper_width": theory.paperWidthExponent, "data": theory.dataExponent,
          "compute_nt": ["loss": paper.loss, "width": paper.width, "time": paper.time],
          "compute_flops": ["loss": flops.loss, "width": flops.width, "time": flops.time],
        ]
        lines.append(
          String(
            format:
              "  %@  %@: L(t) ~ t^-%.3f   L(N) ~ N^-%.3f (paper %.3f)   C = N t: L* ~ C^-%.3f, N* ~ C^%.3f, t* ~ C^%.3f   C = FLOPs (p = %.2f): L* ~ C^-%.3f, N* ~ C^%.3f, t* ~ C^%.3f",
            theory.taskClass.rawValue as NSString, regime.rawValue as NSString, theory.timeExponent,
            theory.widthExponent, theory.paperWidthExponent, paper.loss, paper.width, paper.time,
            power, flops.loss, flops.width, flops.time))
      }
      entry["regimes"] = regimes
      reports.append(entry)
    }
    if args.has("--json") {
      Output.block(
        Output.json([
          "job": job.name, "model": job.model.kind, "flops_width_power": power, "tasks": reports,
        ]))
    } else {
      lines.forEach(Output.line)
    }
    return 0
  }

  /// `p` in `FLOPs per step ~ N^p`: the log-log slope of the cost model between
  /// the job's smallest and largest widths (1 for a single width).
  static func flopsWidthPower(_ job: JobSpec) -> Double {
    guard let low = job.grid.widths.min(), let high = job.grid.widths.max(), high > low,
      let template = job.cells.first
    else { return 1 }
    var a = template
    a.width = low
    var b = template
    b.width = high
    let fa = job.cost(of: a).flopsPerStep
    let fb = job.cost(of: b).flopsPerStep
    return log(fb / fa) / log(Double(high) / Double(low))
  }
}
