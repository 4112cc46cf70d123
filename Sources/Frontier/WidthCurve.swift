import Foundation

/// The seed-averaged learning curve of one width in a slice: the loss at
/// each recorded step is the weighted geometric mean over seeds,
/// `L_bar(t) = exp(sum_s w_s log L_s(t) / sum_s w_s)` (weights are
/// bootstrap multiplicities), over the records that are finite and positive.
struct WidthCurve: Sendable {
  var width: Double
  /// Compute per step: FLOPs per step, or `N` for `C = N t`.
  var computePerStep: Double
  var steps: [Double]
  var loss: [Double]
  var logCompute: [Double]
  var logLoss: [Double]
  /// Seed-averaged (geometric) known loss floor `L_inf`, nil when unknown.
  var lossFloor: Double?

  init(
    width: Double, computePerStep: Double, steps: [Double], loss: [Double],
    lossFloor: Double? = nil
  ) {
    self.lossFloor = lossFloor
    self.width = width
    self.computePerStep = computePerStep
    self.steps = steps
    self.loss = loss
    logCompute = steps.map { Foundation.log($0 * computePerStep) }
    logLoss = loss.map { Foundation.log($0) }
  }

  var compute: [Double] { steps.map { $0 * computePerStep } }

  /// `log L` at `log C` by linear interpolation in log-log between records;
  /// nil outside the recorded range.
  func logLoss(atLogCompute x: Double) -> Double? {
    LogLogInterpolation.value(x: logCompute, y: logLoss, at: x)
  }

  /// `log L` at step `t`.
  func logLoss(atStep t: Double) -> Double? {
    LogLogInterpolation.value(
      x: steps.map { Foundation.log($0) }, y: logLoss, at: Foundation.log(t))
  }

  /// Records after the initial transient: from the first record whose loss
  /// is `drop` (relative) below the first recorded loss.
  func afterTransient(drop: Double) -> ArraySlice<Int> {
    guard let first = loss.first else { return [] }
    let start = loss.firstIndex { $0 <= first * (1 - drop) } ?? 0
    return Array(loss.indices)[start...]
  }
}

/// Piecewise-linear interpolation on sorted abscissae (used on logarithms).
enum LogLogInterpolation {
  static func value(x: [Double], y: [Double], at t: Double) -> Double? {
    guard let first = x.first, let last = x.last, t >= first - 1e-12, t <= last + 1e-12 else {
      return nil
    }
    if x.count == 1 { return y[0] }
    var lo = 0
    var hi = x.count - 1
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if x[mid] <= t { lo = mid } else { hi = mid }
    }
    let span = x[hi] - x[lo]
    if span <= 0 { return y[lo] }
    let f = min(1, max(0, (t - x[lo]) / span))
    return y[lo] + f * (y[hi] - y[lo])
  }
}
