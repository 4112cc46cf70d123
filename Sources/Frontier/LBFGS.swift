import Foundation

/// Settings of the limited-memory BFGS minimiser.
public struct LBFGSOptions: Sendable, Codable, Equatable {
  /// Number of stored `(s, y)` correction pairs.
  public var memory: Int = 10
  public var maxIterations: Int = 1000
  /// Stop when `max_i |g_i| <= gradientTolerance`.
  public var gradientTolerance: Double = 1e-9
  /// Stop when `(f_k - f_{k+1}) <= functionTolerance * max(|f_k|, |f_{k+1}|, functionScale)`.
  public var functionTolerance: Double = 1e-12
  /// Floor of the scale in the relative-decrease test (scipy uses 1; a
  /// smaller floor keeps iterating on objectives of order 1e-3).
  public var functionScale: Double = 1e-300
  /// Sufficient decrease (Armijo) constant `c1` of the Wolfe conditions.
  public var armijo: Double = 1e-4
  /// Curvature constant `c2` of the strong Wolfe conditions.
  public var curvature: Double = 0.9
  public var maxLineSearchEvaluations: Int = 40

  public init() {}
}

/// Why L-BFGS stopped.
public enum LBFGSTermination: String, Sendable, Codable {
  case gradientTolerance, functionTolerance, maxIterations, lineSearchFailed, nonFiniteStart
}

/// Result of one L-BFGS run.
public struct LBFGSResult: Sendable {
  public var x: [Double]
  public var value: Double
  public var gradient: [Double]
  public var iterations: Int
  public var evaluations: Int
  public var termination: LBFGSTermination
}

/// Limited-memory BFGS (Nocedal 1980; Nocedal & Wright, *Numerical
/// Optimization*, Alg. 7.4/7.5) with a line search that enforces the strong
/// Wolfe conditions (Alg. 3.5/3.6):
///
///     f(x + a d) <= f(x) + c1 a g.d          (sufficient decrease)
///     |g(x + a d).d| <= c2 |g.d|             (curvature)
///
/// The search direction is `d = -H g` from the two-loop recursion with the
/// initial scaling `H0 = (s.y / y.y) I`. Unconstrained.
public struct LBFGS: Sendable {
  public var options: LBFGSOptions
  public init(options: LBFGSOptions = LBFGSOptions()) { self.options = options }

  public func minimize<F: DifferentiableObjective>(_ objective: F, from start: [Double])
    -> LBFGSResult
  {
    var state = LBFGSState(dimension: objective.dimension, memory: options.memory)
    return state.run(objective, start: start, options: options)
  }
}

/// Working storage of one run; every buffer is allocated once.
struct LBFGSState {
  let d: Int
  let m: Int
  var x: [Double]
  var g: [Double]
  var direction: [Double]
  var trialX: [Double]
  var trialG: [Double]
  var s: [Double]  // m * d, ring buffer
  var y: [Double]
  var rho: [Double]
  var alphaBuf: [Double]
  var stored = 0
  var newest = -1
  var evaluations = 0

  init(dimension: Int, memory: Int) {
    d = dimension
    m = max(1, memory)
    x = [Double](repeating: 0, count: d)
    g = x
    direction = x
    trialX = x
    trialG = x
    s = [Double](repeating: 0, count: m * d)
    y = s
    rho = [Double](repeating: 0, count: m)
    alphaBuf = rho
  }

  static func evaluate<F: DifferentiableObjective>(
    _ f: F, _ point: [Double], into grad: inout [Double]
  )
    -> Double
  {
    point.withUnsafeBufferPointer { p in
      grad.withUnsafeMutableBufferPointer { f.valueAndGradient(at: p, gradient: $0) }
    }
  }

  static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    var sum = 0.0
    for i in 0..<n { sum += a[i] * b[i] }
    return sum
  }

  mutating func run<F: DifferentiableObjective>(_ f: F, start: [Double], options: LBFGSOptions)
    -> LBFGSResult
  {
    x = start
    evaluations += 1
    var value = LBFGSState.evaluate(f, x, into: &g)
    guard value.isFinite, g.allSatisfy(\.isFinite) else {
      return LBFGSResult(
        x: x, value: value, gradient: g, iterations: 0, evaluations: evaluations,
        termination: .nonFiniteStart)
    }
    var iteration = 0
    var termination = LBFGSTermination.maxIterations
    var restartedAfterFailure = false
    while iteration < options.maxIterations {
      if g.reduce(0, { max($0, abs($1)) }) <= options.gradientTolerance {
        termination = .gradientTolerance
        break
      }
      computeDirection()
      var slope = zip(g, direction).reduce(0) { $0 + $1.0 * $1.1 }
      if !(slope < 0) {  // not a descent direction: forget the curvature pairs
        stored = 0
        for i in 0..<d { direction[i] = -g[i] }
        slope = -zip(g, g).reduce(0) { $0 + $1.0 * $1.1 }
      }
      // First step of a fresh memory: unit step scaled to |d|_inf = 1 at most.
      var initialStep = 1.0
      if stored == 0 {
        let norm = direction.reduce(0) { max($0, abs($1)) }
        initialStep = norm > 1 ? 1 / norm : 1
      }
      guard
        let (step, newValue) = lineSearch(
          f, value: value, slope: slope, initialStep: initialStep, options: options)
      else {
        if stored > 0 && !restartedAfterFailure {
          stored = 0
          restartedAfterFailure = true
          continue
        }
        termination = .lineSearchFailed
        break
      }
      restartedAfterFailure = false
      // Store the correction pair s = x+ - x, y = g+ - g.
      let slot = (newest + 1) % m
      var sy = 0.0
      for i in 0..<d {
        let si = trialX[i] - x[i]
        let yi = trialG[i] - g[i]
        s[slot * d + i] = si
        y[slot * d + i] = yi
        sy += si * yi
      }
      _ = step
      if sy > 1e-300 {
        rho[slot] = 1 / sy
        newest = slot
        stored = min(stored + 1, m)
      }
      let decrease = value - newValue
      swap(&x, &trialX)
      swap(&g, &trialG)
      value = newValue
      iteration += 1
      let scale = max(abs(value), abs(value + decrease), options.functionScale)
      if decrease <= options.functionTolerance * scale {
        termination = .functionTolerance
        break
      }
    }
    return LBFGSResult(
      x: x, value: value, gradient: g, iterations: iteration, evaluations: evaluations,
      termination: termination)
  }

  /// Two-loop recursion: `direction = -H g`.
  mutating func computeDirection() {
    for i in 0..<d { direction[i] = -g[i] }
    guard stored > 0 else { return }
    s.withUnsafeBufferPointer { sp in
      y.withUnsafeBufferPointer { yp in
        direction.withUnsafeMutableBufferPointer { q in
          var k = newest
          for j in 0..<stored {
            _ = j
            let a = rho[k] * LBFGSState.dot(sp.baseAddress! + k * d, q.baseAddress!, d)
            alphaBuf[k] = a
            for i in 0..<d { q[i] -= a * yp[k * d + i] }
            k = (k - 1 + m) % m
          }
          let yy = LBFGSState.dot(yp.baseAddress! + newest * d, yp.baseAddress! + newest * d, d)
          let gammaScale = yy > 0 ? 1 / (rho[newest] * yy) : 1
          for i in 0..<d { q[i] *= gammaScale }
          k = (newest - stored + 1 + m) % m
          for j in 0..<stored {
            _ = j
            let b = rho[k] * LBFGSState.dot(yp.baseAddress! + k * d, q.baseAddress!, d)
            for i in 0..<d { q[i] += sp[k * d + i] * (alphaBuf[k] - b) }
            k = (k + 1) % m
          }
        }
      }
    }
  }

  /// Evaluates `phi(a) = f(x + a d)` and `phi'(a)`; leaves the point in trialX/trialG.
  mutating func phi<F: DifferentiableObjective>(_ f: F, _ step: Double) -> (Double, Double) {
    for i in 0..<d { trialX[i] = x[i] + step * direction[i] }
    evaluations += 1
    let value = LBFGSState.evaluate(f, trialX, into: &trialG)
    var slope = 0.0
    for i in 0..<d { slope += trialG[i] * direction[i] }
    return (value, slope)
  }

  /// Strong-Wolfe line search (bracketing, then zoom with safeguarded cubic
  /// interpolation). Returns the accepted step and value, with the accepted
  /// point in `trialX`/`trialG`, or nil when no step satisfies the conditions.
  mutating func lineSearch<F: DifferentiableObjective>(
    _ f: F, value phi0: Double, slope dphi0: Double, initialStep: Double, options: LBFGSOptions
  ) -> (Double, Double)? {
    let c1 = options.armijo
    let c2 = options.curvature
    var previousStep = 0.0
    var previousValue = phi0
    var previousSlope = dphi0
    var step = initialStep
    var budget = options.maxLineSearchEvaluations
    var first = true
    while budget > 0 {
      budget -= 1
      let (value, slope) = phi(f, step)
      if !value.isFinite || value > phi0 + c1 * step * dphi0 || (!first && value >= previousValue) {
        return zoom(
          f, low: (previousStep, previousValue, previousSlope), high: (step, value, slope),
          phi0: phi0, dphi0: dphi0, budget: budget, options: options)
      }
      if abs(slope) <= -c2 * dphi0 { return (step, value) }
      if slope >= 0 {
        return zoom(
          f, low: (step, value, slope), high: (previousStep, previousValue, previousSlope),
          phi0: phi0, dphi0: dphi0, budget: budget, options: options)
      }
      previousStep = step
      previousValue = value
      previousSlope = slope
      step *= 4
      first = false
    }
    return nil
  }

  mutating func zoom<F: DifferentiableObjective>(
    _ f: F, low lowIn: (Double, Double, Double), high highIn: (Double, Double, Double),
    phi0: Double, dphi0: Double, budget budgetIn: Int, options: LBFGSOptions
  ) -> (Double, Double)? {
    var low = lowIn
    var high = highIn
    var budget = budgetIn
    while budget > 0 {
      budget -= 1
      let width = high.0 - low.0
      if abs(width) < 1e-16 * max(1, abs(low.0)) { break }
      var step = LBFGSState.cubicMinimizer(low, high)
      let lo = min(low.0, high.0)
      let hi = max(low.0, high.0)
      let margin = 0.1 * (hi - lo)
      if !step.isFinite || step < lo + margin || step > hi - margin { step = 0.5 * (lo + hi) }
      let (value, slope) = phi(f, step)
      if !value.isFinite || value > phi0 + options.armijo * step * dphi0 || value >= low.1 {
        high = (step, value, slope)
      } else {
        if abs(slope) <= -options.curvature * dphi0 { return (step, value) }
        if slope * (high.0 - low.0) >= 0 { high = low }
        low = (step, value, slope)
      }
    }
    // Fall back to the best point with sufficient decrease, if any.
    if low.0 > 0 && low.1 < phi0 {
      let (value, _) = phi(f, low.0)
      if value < phi0 { return (low.0, value) }
    }
    return nil
  }

  /// Minimiser of the cubic interpolating `(a, f_a, f'_a)` and `(b, f_b, f'_b)`.
  static func cubicMinimizer(_ a: (Double, Double, Double), _ b: (Double, Double, Double)) -> Double
  {
    let d1 = a.2 + b.2 - 3 * (a.1 - b.1) / (a.0 - b.0)
    let disc = d1 * d1 - a.2 * b.2
    guard disc >= 0 else { return .nan }
    let d2 = (b.0 > a.0 ? 1.0 : -1.0) * disc.squareRoot()
    return b.0 - (b.0 - a.0) * (b.2 + d2 - d1) / (b.2 - a.2 + 2 * d2)
  }
}
