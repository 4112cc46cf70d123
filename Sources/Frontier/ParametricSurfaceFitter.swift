import Foundation

/// Options of the approach-3 fit.
public struct ParametricFitOptions: Sendable, Codable, Equatable {
  public var huberDelta: Double = 1e-3
  public var grid: StartGrid = .chinchillaEpoch
  public var lbfgs = LBFGSOptions()
  /// Bootstrap refits start from the full-data optimum and from this many of
  /// the best distinct local optima of the full grid search (a refit from all
  /// 4500 grid starts would cost about 1000x more for the same answer).
  public var bootstrapStarts: Int = 4
  /// Worker threads for the grid starts (results do not depend on it).
  public var threads: Int = 1
  /// L-BFGS stops when an iteration lowers the objective by less than
  /// 1e-6 of its value: the scale of scipy's default `ftol = 2.2e-9` on an
  /// objective of order 1e-3, and 3x faster than 1e-12 for the same best fit.
  public init() { lbfgs.functionTolerance = 1e-6 }
  /// Relative-decrease tolerance of the polishing runs (the kept local
  /// optima of a grid search) and of bootstrap refits. Warm starts begin next
  /// to an optimum, where every decrease is tiny relative to the objective,
  /// so the loose grid tolerance would stop them at once.
  public var polishFunctionTolerance: Double = 1e-12
}

/// Result of a grid-start fit: the best surface and the distinct local
/// optima found (best first), used to warm-start bootstrap refits.
public struct ParametricFitResult: Sendable {
  public var best: ParametricSurface
  public var localOptima: [ParametricSurface]
  public var startsRun: Int
  public var startsConverged: Int
}

/// Fits `log L = LSE(logA - a log x1, logB - b log x2, logE)` by minimising
/// the summed Huber loss with `LBFGS` from every start of a grid; the lowest
/// objective wins (ties broken by start order, so the result is deterministic).
public struct ParametricSurfaceFitter: Sendable {
  public var options: ParametricFitOptions
  public init(options: ParametricFitOptions = ParametricFitOptions()) { self.options = options }

  public func fit(_ points: SurfacePoints, weights: [Double]? = nil) throws -> ParametricFitResult {
    try fit(points, weights: weights, starts: options.grid.starts)
  }

  public func fit(_ points: SurfacePoints, weights: [Double]? = nil, starts: [[Double]]) throws
    -> ParametricFitResult
  {
    guard points.count >= 5 else {
      throw FrontierError.tooFewPoints(context: "parametric surface", needed: 5, got: points.count)
    }
    let objective = ParametricSurfaceObjective(
      points: points, weights: weights, huber: HuberLoss(delta: options.huberDelta))
    let optimizer = LBFGS(options: options.lbfgs)
    let results = UnsafeMutableBufferPointer<ParametricSurface?>.allocate(capacity: starts.count)
    results.initialize(repeating: nil)
    defer { results.deallocate() }
    nonisolated(unsafe) let shared = results
    let workers = max(1, min(options.threads, starts.count))
    let runStarts: @Sendable (Int) -> Void = { worker in
      for k in stride(from: worker, to: starts.count, by: workers) {
        let result = optimizer.minimize(objective, from: starts[k])
        if result.value.isFinite, result.x.allSatisfy(\.isFinite) {
          shared[k] = ParametricSurface(theta: result.x, objective: result.value)
        }
      }
    }
    if workers == 1 {
      runStarts(0)
    } else {
      DispatchQueue.concurrentPerform(iterations: workers, execute: runStarts)
    }
    let optima = results.compactMap { $0 }
    let converged = optima.count
    guard !optima.isEmpty else {
      throw FrontierError.noConvergedStart(context: "parametric surface")
    }
    // Stable sort keeps the first start among equal objectives.
    let order = optima.indices.sorted {
      optima[$0].objective < optima[$1].objective
        || (optima[$0].objective == optima[$1].objective && $0 < $1)
    }
    var distinct: [ParametricSurface] = []
    for index in order {
      let candidate = optima[index]
      let isNew = distinct.allSatisfy { existing in
        zip(existing.theta, candidate.theta).contains { abs($0 - $1) > 1e-3 * max(1, abs($0)) }
      }
      if isNew { distinct.append(candidate) }
      if distinct.count >= max(1, options.bootstrapStarts) { break }
    }
    // Polish the kept optima with the strict tolerance.
    var strict = options.lbfgs
    strict.functionTolerance = options.polishFunctionTolerance
    let polisher = LBFGS(options: strict)
    let polished = distinct.map { surface -> ParametricSurface in
      let result = polisher.minimize(objective, from: surface.theta)
      guard result.value.isFinite, result.value <= surface.objective else { return surface }
      return ParametricSurface(theta: result.x, objective: result.value)
    }.sorted { $0.objective < $1.objective }
    return ParametricFitResult(
      best: polished[0], localOptima: polished, startsRun: starts.count, startsConverged: converged)
  }

  /// A bootstrap refit: warm starts from `reference` (the full-data fit).
  public func refit(_ points: SurfacePoints, weights: [Double], reference: ParametricFitResult)
    throws -> ParametricSurface
  {
    let starts = reference.localOptima.prefix(max(1, options.bootstrapStarts)).map(\.theta)
    return try fit(points, weights: weights, starts: Array(starts)).best
  }
}
