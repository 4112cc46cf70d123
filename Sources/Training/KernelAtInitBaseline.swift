import SweepSpec

#if canImport(Glibc)
  import Glibc
#endif

/// Gradient descent in function space on a frozen kernel, the dynamics of a
/// lazy network (science.md, "Model 2, measured in depth").
///
/// SGD on `(1/2B) sum_b (F(x_b) - y_b)^2` with the network linearised around
/// its initialisation moves `F` on average by `-eta E_x[K(., x) (F(x) - y(x))]`.
/// On `T` equally spaced angles the expectation is `K / T` (exact in the limit
/// of a fine grid), so the residual `r = F - y` evolves as
///
///     r_t = (I - eta K / T)^t r_0,    r_0 = -y,
///     L(t) = T^-1 |r_t|^2 = T^-1 sum_i (1 - mu_i)^(2t) (v_i . y)^2,
///
/// with `mu_i = eta lambda_i / T` from the eigenpairs `(lambda_i, v_i)` of
/// `K`. The loss is the test loss the network reports (mean squared error on
/// the grid); SGD noise is not modelled.
public struct KernelGradientDescent: Sendable {
  /// `mu_i = eta lambda_i / T`, the per-step contraction rates.
  public let rates: [Double]
  let eigensystem: SymmetricEigensystem

  /// `kernel` is row-major `points x points`; nil if the eigensolver fails.
  public init?(kernel: [Double], points: Int, learningRate eta: Double) {
    guard let system = SymmetricEigensystem(symmetric: kernel, size: points) else { return nil }
    eigensystem = system
    rates = system.eigenvalues.map { eta * $0 / Double(points) }
  }

  /// Gradient descent is stable when every `|1 - mu_i| <= 1`, i.e. `mu_max <= 2`.
  public var isStable: Bool { (rates.max() ?? 0) <= 2 }

  /// `L(t)` for target values `y` on the grid, at each (real) step count `t`.
  public func loss(target y: [Double], at steps: [Double]) -> [Double] {
    let c = eigensystem.project(y)
    let n = Double(rates.count)
    return steps.map { t in
      var total = 0.0
      for (mu, ci) in zip(rates, c) {
        total += pow(abs(1 - mu), 2 * t) * ci * ci  // (1 - mu)^(2t) for real t
      }
      return total / n
    }
  }
}

/// The finite-width baseline of a lazy model-2 network: gradient descent on
/// the network's own NTK at initialisation (``KernelGradientDescent``) on
/// `points` equally spaced angles, one kernel and one target per seed, the
/// loss curves averaged geometrically over the seeds (as the frontier
/// averages measured curves).
///
/// The average is over curves, not kernels: the seed-averaged kernel is
/// close to the infinite-width one (N = 128, three seeds: exponent 0.41
/// against 0.33 from the seeds' own kernels), and a lazy network can only
/// follow its own.
///
/// The rate is the job's: `eta K = eta0 gamma0^2 N K_gamma0 = eta0 N K_1`, so
/// the curve does not depend on `gamma0`, only on `eta0` (the lazy cells' rate).
public struct KernelAtInitBaseline: Sendable {
  public var width: Int
  /// `eta0` of the job's lazy cells at this width.
  public var learningRate: Double
  public var points: Int
  public var seeds: [Int]
  public var steps: [Double]
  /// Geometric mean over seeds of `L(t)` at ``steps``.
  public var loss: [Double]
  /// `max mu_i`; above 2 gradient descent on the kernel diverges.
  public var largestRate: Double

  public init(
    width: Int, learningRate: Double, points: Int, seeds: [Int], steps: [Double], loss: [Double],
    largestRate: Double
  ) {
    self.width = width
    self.learningRate = learningRate
    self.points = points
    self.seeds = seeds
    self.steps = steps
    self.loss = loss
    self.largestRate = largestRate
  }

  /// `N K_1`, the NTK of the initial network of `seed` at `width` (the
  /// cell's own initialisation stream, so the very network a cell trains)
  /// at `gamma0 = 1` times `N`, row-major `points x points`.
  public static func initialKernel(
    width: Int, depth: Int, activationPower: Double, points: Int, seed: Int
  ) -> [Double] {
    let angles = (0..<points).map { 2 * Double.pi * Double($0) / Double(points) }
    let cell = Cell(
      index: 0, task: 0, width: width, data: .online, gamma: 1, learningRate: 1, batch: 1,
      seed: seed, stepsBudget: 1)
    let network = MLPCircleNetwork(
      width: width, depth: depth, gamma0: 1, capacity: points,
      rng: MLPCircleTrainer.stream(.initialisation, cell: cell),
      activationPower: activationPower)
    let scale = Double(width)
    return network.neuralTangentKernel(at: angles).map { $0 * scale }
  }

  /// The baselines of every task of `job` at `width` (index = task), rate
  /// `eta0`, at `steps`: one kernel and one eigendecomposition per seed serve
  /// every task. Nil if the job is not mlp-circle or the eigensolver fails.
  public static func compute(
    job: JobSpec, width: Int, learningRate eta0: Double, points: Int, steps: [Double]
  ) -> [KernelAtInitBaseline]? {
    guard case .mlpCircle(let spec) = job.model else { return nil }
    let angles = (0..<points).map { 2 * Double.pi * Double($0) / Double(points) }
    var logSums = [[Double]](
      repeating: [Double](repeating: 0, count: steps.count), count: job.tasks.count)
    var largest = 0.0
    for seed in job.grid.seeds {
      let kernel = initialKernel(
        width: width, depth: spec.depth, activationPower: spec.activation.power, points: points,
        seed: seed)
      guard let descent = KernelGradientDescent(kernel: kernel, points: points, learningRate: eta0)
      else { return nil }
      largest = max(largest, descent.rates.max() ?? 0)
      for task in job.tasks.indices {
        guard let target = CircleTarget.of(job: job, task: task, seed: seed) else { return nil }
        let curve = descent.loss(target: target.values(at: angles), at: steps)
        for i in curve.indices { logSums[task][i] += log(curve[i]) }
      }
    }
    let count = Double(job.grid.seeds.count)
    return logSums.map { logSum in
      KernelAtInitBaseline(
        width: width, learningRate: eta0, points: points, seeds: job.grid.seeds, steps: steps,
        loss: logSum.map { exp($0 / count) }, largestRate: largest)
    }
  }

  /// The time exponent `chi` of `L ~ t^-chi`: minus the least-squares slope of
  /// `log L` against `log t` over the steps inside `window`.
  public func exponent(over window: ClosedRange<Double>) -> Double? {
    let lower = window.lowerBound * (1 - 1e-9)
    let upper = window.upperBound * (1 + 1e-9)
    let inside = steps.indices.filter { (lower...upper).contains(steps[$0]) && loss[$0] > 0 }
    guard inside.count >= 2 else { return nil }
    return -CircleKernelSpectrum.logLogSlope(inside.map { steps[$0] }, inside.map { loss[$0] })
  }

  /// `count` log-spaced step counts from 1 to `last`, with both window ends among them.
  public static func logSpacedSteps(upTo last: Double, count: Int = 81) -> [Double] {
    (0..<count).map { pow(last, Double($0) / Double(count - 1)) }
  }
}
