import Foundation
import Frontier
import SweepSpec
import Training

/// `scalesweep theory JOB [--json]`: the paper's predicted exponents for each task of a job.
enum TheoryCommand {
  static let help = """
    usage: scalesweep theory JOB [--ntk-width N] [--kernel-points T] [--time-range T1:T2]
                                 [--no-baseline] [--json]

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
    The model's activation (relu or relu^p) and each target's phases (random
    or zero) are shown; alpha is measured with the job's activation.

    mlp-circle also gets the finite-width baseline: for each width of the job,
    the loss curve of gradient descent on the network's own kernel at
    initialisation (the NTK of each seed's initial network on T equally spaced
    angles, averaged over the job's seeds, with the rate eta0 of the job's
    lazy cells: the smallest gamma0) and its exponent over the fit window.
    A lazy network (gamma0 = 0.001) follows this curve; the N -> infinity
    theory (lazy chi = beta) is its limit. Each width costs an NTK per seed
    and one T x T eigendecomposition (seconds at T = 1024).

      --ntk-width N       width of the network whose NTK spectrum gives alpha
                          (default: the job's largest width, at most 512)
      --kernel-points T   grid of the kernel-at-init baseline (default: the
                          job's test grid, at most 1024)
      --time-range T1:T2  window of the baseline's exponent (default: the last
                          two decades of the job's longest budget)
      --no-baseline       skip the kernel-at-init baseline
      --json              machine-readable output
    """

  static func run(_ words: [String]) throws -> Int32 {
    let args = try Arguments(
      words, command: "theory", flags: ["--json", "--no-baseline"],
      options: ["--ntk-width", "--kernel-points", "--time-range"])
    let path = try args.single("job file", command: "theory")
    var reports: [[String: Any]] = []
    var lines: [String] = []
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
    let kernelPoints = try args.integer("--kernel-points", command: "theory", in: 16...8192)
    let longest = Double(job.grid.steps.max() ?? 1)
    let window =
      try args.value("--time-range").map { try FrontierCommand.timeRange($0) }
      ?? (max(1, longest / 100)...longest)
    BLAS.useSingleThread()

    // Measured alpha (mlp-circle) once per job: the NTK does not depend on the task.
    var spectrum: CircleKernelSpectrum?
    var baselines: [[KernelAtInitBaseline]] = []
    if case .mlpCircle(let spec) = job.model {
      spectrum = CircleKernelSpectrum(
        width: ntkWidth, depth: spec.depth, points: 512, seeds: [0, 1],
        activationPower: spec.activation.power)
      lines.append(
        "model: depth \(spec.depth), activation \(spec.activation.description) (nominal alpha \(spec.activation.nominalAlpha))"
      )
      if !args.has("--no-baseline") {
        baselines = KernelAtInitReport.baselines(
          job: job, points: kernelPoints ?? min(spec.testPoints, 1024),
          steps: KernelAtInitBaseline.logSpacedSteps(upTo: longest))
      }
    }
    let power = flopsWidthPower(job)
    for (index, task) in job.tasks.enumerated() {
      var alpha = task.alpha
      var beta = task.beta
      var entry: [String: Any] = ["task": index]
      if let spectrum, let target = CircleTarget.of(job: job, task: index, seed: 0) {
        alpha = spectrum.capacityExponent()
        let q = target.fittedDecay()
        beta = (2 * q - 1) / alpha
        entry["q"] = q
        entry["phases"] = task.phases.rawValue
        entry["ntk_width"] = spectrum.width
        entry["ntk_eigenvalues"] = Array(spectrum.eigenvalues.prefix(65))
        lines.append(
          String(
            format:
              "task %d: q = %.3f, %@ phases; alpha = %.3f measured (NTK of width %d, depth %d), beta = (2q - 1)/alpha = %.3f",
            index, q, task.phases.rawValue as NSString, alpha, spectrum.width, spectrum.depth, beta
          ))
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
      if index < baselines.count {
        let lazyChi = ScalingTheory.chi(beta: beta, regime: .lazy)
        entry["kernel_at_init"] = KernelAtInitReport.json(
          baselines[index], window: window, infiniteWidth: lazyChi)
        lines += KernelAtInitReport.lines(baselines[index], window: window, infiniteWidth: lazyChi)
      }
      reports.append(entry)
    }
    if args.has("--json") {
      Output.block(
        Output.json([
          "job": job.name, "model": job.model.kind, "flops_width_power": power, "tasks": reports,
        ]))
    } else {
      Output.line("job \(job.name) (\(job.model.kind))")
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
