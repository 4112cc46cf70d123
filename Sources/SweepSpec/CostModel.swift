/// What a cell costs: the FLOPs the science counts as compute, the work the
/// simulation really does (which the scheduler balances), and its memory.
public struct CellCost: Equatable, Sendable {
  /// FLOPs of one training step of the network the cell represents (forward
  /// and backward), stored as `/cells/flops_per_step` and used as compute.
  public var flopsPerStep: Double
  /// Floating-point work the simulation performs for the whole cell, setup included.
  public var simulationFlops: Double
  /// Standard normal draws for the whole cell (they cost about as much as a few FLOPs each).
  public var normalDraws: Double
  /// Peak bytes of working memory while the cell trains.
  public var memoryBytes: Double
  /// FLOPs per second one core sustains on this model's simulation (measured
  /// with `scalesweep bench`): model 1 is double-precision matrix-vector bound,
  /// model 2 single-precision matrix-matrix bound.
  public var flopRate: Double

  public init(
    flopsPerStep: Double, simulationFlops: Double, normalDraws: Double, memoryBytes: Double,
    flopRate: Double = 8e9
  ) {
    self.flopsPerStep = flopsPerStep
    self.simulationFlops = simulationFlops
    self.normalDraws = normalDraws
    self.memoryBytes = memoryBytes
    self.flopRate = flopRate
  }

  /// Estimated seconds on one core: BLAS-bound work at `flopRate` plus normal draws.
  public func estimatedSeconds(flopRate rate: Double? = nil, secondsPerNormal: Double = 6e-9)
    -> Double
  {
    simulationFlops / (rate ?? flopRate) + normalDraws * secondsPerNormal
  }
}

extension JobSpec {
  /// The cost of one cell under this job's model and training settings.
  public func cost(of cell: Cell) -> CellCost {
    let n = Double(cell.width)
    let b = Double(cell.batch)
    let t = Double(cell.stepsBudget)
    let p: Double
    if case .finite(let size) = cell.data { p = Double(size) } else { p = 0 }
    switch model {
    case .projectedFeatures(let features):
      let m = Double(features)
      // Direct form: h = A psi (2 B N M), readout and its gradient (4 B N), and the
      // feature gradient (4 B N M): the usual "6 x parameters x samples".
      let flopsPerStep = 6 * b * n * m + 4 * b * n
      // Reduced form (science.md): setup C = G G^T (N^2 M), Cholesky ((N+1)^3/3),
      // then per step a triangular product B (N+1)^2, two matrix-vector products
      // 4 B N, and for rich cells three N x N updates.
      let rich = cell.gamma > 0 ? 6 * n * n : 2 * n
      let perStep = b * (n + 1) * (n + 1) + 4 * b * n + rich
      let records = Double(training.recordPoints) * (2 * n * n + 2 * p * n)
      let setup = n * n * m + pow3(n + 1) / 3 + p * (n + 1) * (n + 1)
      let draws = n * m + p * (n + 1) + t * b * (n + 1)
      let memory = 8 * (n * m + 2 * (n + 1) * (n + 1) + b * (n + 1) + p * (n + 1) + 8 * n + m)
      return CellCost(
        flopsPerStep: flopsPerStep, simulationFlops: setup + t * perStep + records,
        normalDraws: draws, memoryBytes: memory)
    case .mlpCircle(let spec):
      return mlpCircleCost(spec, cell: cell)
    case .command(let spec):
      // Nothing is known about the program's work but what the job says.
      let flops = spec.flopsPerStep?.evaluate(coordinates(of: cell)) ?? .nan
      return CellCost(flopsPerStep: flops, simulationFlops: 0, normalDraws: 0, memoryBytes: 0)
    }
  }

  /// What orders the hand-out (largest first) and weighs progress: estimated
  /// seconds for the built-in models, the `cost` expression for a command
  /// (in its own units), nil when unknown (a command without `cost`: cells go
  /// out in canonical order and ``LearnedCost`` estimates them from finished ones).
  public func handOutCost(of cell: Cell) -> Double? {
    switch model {
    case .projectedFeatures, .mlpCircle:
      return cost(of: cell).estimatedSeconds()
    case .command(let spec):
      guard let expression = spec.cost else { return nil }
      let value = expression.evaluate(coordinates(of: cell))
      return value.isFinite ? max(value, 0) : nil
    }
  }

  /// Model 2 (science.md, "MLPs on the circle"), `H = depth - 2` hidden
  /// `N x N` layers, batch `B`. Counting `2 m n k` for every matrix product:
  ///
  ///     forward   input 2BN*2, hidden H*2BN^2, readout 2BN
  ///     backward  readout gradient 2BN, hidden H*(2BN^2 weight + 2BN^2 delta),
  ///               input-weight gradient 2BN*2
  ///     flopsPerStep = 2 B N (3 H N + 6)
  ///
  /// The extra forward pass of the frozen initial network that centres the
  /// output (`2 B N (H N + 3)`, online only) is simulation work, not model
  /// compute, as model 1 counts its direct form rather than its reduced one.
  public static func mlpCircleFlopsPerStep(width n: Double, batch b: Double, depth: Int) -> Double {
    let h = Double(depth - 2)
    return 2 * b * n * (3 * h * n + 6)
  }

  /// FLOPs of one forward pass of `points` inputs (products only): `2 points N (H N + 3)`.
  static func mlpCircleForwardFlops(width n: Double, points: Double, depth: Int) -> Double {
    2 * points * n * (Double(depth - 2) * n + 3)
  }

  private func mlpCircleCost(_ spec: MLPCircleSpec, cell: Cell) -> CellCost {
    let n = Double(cell.width)
    let b = Double(cell.batch)
    let t = Double(cell.stepsBudget)
    let h = Double(spec.depth - 2)
    let k = Double(spec.modes)
    let tp = Double(spec.testPoints)
    var p = 0.0
    if case .finite(let size) = cell.data { p = Double(size) }
    let flopsPerStep = Self.mlpCircleFlopsPerStep(width: n, batch: b, depth: spec.depth)
    let forward = { (points: Double) in
      Self.mlpCircleForwardFlops(width: n, points: points, depth: spec.depth)
    }
    // Calibrated with `scalesweep bench` (single precision, B = 64, N = 64 to
    // 1024): products run at about 60 GFLOP/s; what is not a large product
    // (ReLU, masks, bias broadcast, small-matrix BLAS overhead) costs about
    // 2.5 ns per activation element, 150 FLOP-equivalents; the target's
    // Clenshaw sum (double, 8 FLOPs per mode and sample) runs at about 13
    // GFLOP/s, 40 FLOP-equivalents per mode and sample.
    let layers = h + 1
    let elementwise = 150 * layers * b * n
    let online = p == 0
    let perStep =
      flopsPerStep + (online ? forward(b) + 40 * b * k : 0) + elementwise
    let records = Double(training.recordPoints) * (forward(tp) + forward(p))
    let setup = forward(tp) + 40 * tp * k + (online ? 0 : forward(p) + 40 * p * k)
    let draws = h * n * n + 4 * n + p
    let parameters = h * (n * n + n) + 4 * n
    let activations = 2 * layers * b * n
    let testBuffers = 2 * 256 * n
    let memory = 4 * (2 * parameters + activations + testBuffers) + 8 * (3 * tp + 3 * p + 2 * k)
    return CellCost(
      flopsPerStep: flopsPerStep, simulationFlops: setup + t * perStep + records,
      normalDraws: draws, memoryBytes: memory, flopRate: 60e9)
  }

  private func pow3(_ x: Double) -> Double { x * x * x }
}
