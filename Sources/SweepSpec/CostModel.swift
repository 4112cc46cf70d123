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

  /// Estimated seconds on one core: BLAS-bound work at `flopRate` plus normal draws.
  public func estimatedSeconds(flopRate: Double = 8e9, secondsPerNormal: Double = 6e-9) -> Double {
    simulationFlops / flopRate + normalDraws * secondsPerNormal
  }
}

extension JobSpec {
  /// The cost of one cell under this job's model and training settings.
  public func cost(of cell: Cell) -> CellCost {
    let n = Double(cell.width)
    let b = Double(training.batch)
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
    }
  }

  private func pow3(_ x: Double) -> Double { x * x * x }
}
