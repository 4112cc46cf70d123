import Foundation

/// The Chinchilla approach-3 objective (Hoffmann et al. 2022; Besiroglu et
/// al. 2024) for `L(x1, x2) = E + A x1^-a + B x2^-b` fitted on `log L`:
///
///     log L_hat_i = LSE(logA - a log x1_i, logB - b log x2_i, logE)
///     objective   = sum_i w_i * Huber_delta(log L_hat_i - log L_i)
///
/// with parameters `theta = (logA, a, logB, b, logE)` and weights `w_i`
/// (bootstrap multiplicities; 1 for a plain fit). With
/// `p_k = exp(u_k - LSE)` the softmax weights and `h_i = w_i H'(r_i)`:
///
///     d/dlogA = sum h p_1,  d/da = -sum h p_1 log x1,
///     d/dlogB = sum h p_2,  d/db = -sum h p_2 log x2,  d/dlogE = sum h p_3.
public struct ParametricSurfaceObjective: DifferentiableObjective, Sendable {
  public let dimension = 5
  public var points: SurfacePoints
  public var weights: [Double]
  public var huber: HuberLoss

  public init(points: SurfacePoints, weights: [Double]? = nil, huber: HuberLoss = HuberLoss()) {
    self.points = points
    self.weights = weights ?? [Double](repeating: 1, count: points.count)
    self.huber = huber
  }

  public func valueAndGradient(
    at theta: UnsafeBufferPointer<Double>, gradient: UnsafeMutableBufferPointer<Double>
  ) -> Double {
    let logA = theta[0]
    let a = theta[1]
    let logB = theta[2]
    let b = theta[3]
    let logE = theta[4]
    let delta = huber.delta
    let linearE = Foundation.exp(logE)
    var f = 0.0
    var gA = 0.0
    var ga = 0.0
    var gB = 0.0
    var gb = 0.0
    var gE = 0.0
    points.logSize.withUnsafeBufferPointer { x1 in
      points.logLength.withUnsafeBufferPointer { x2 in
        points.logLoss.withUnsafeBufferPointer { y in
          weights.withUnsafeBufferPointer { w in
            for i in 0..<y.count {
              let wi = w[i]
              if wi == 0 { continue }
              let u1 = logA - a * x1[i]
              let u2 = logB - b * x2[i]
              // Fast path: L_hat = E + e^u1 + e^u2 directly (two exp, one log);
              // the max-shifted log-sum-exp only when that over- or underflows.
              var e1 = Foundation.exp(u1)
              var e2 = Foundation.exp(u2)
              var e3 = linearE
              var sum = e1 + e2 + e3
              let logSum: Double
              if sum.isFinite && sum > 1e-300 {
                logSum = Foundation.log(sum)
              } else {
                let m = max(max(u1, u2), logE)
                e1 = Foundation.exp(u1 - m)
                e2 = Foundation.exp(u2 - m)
                e3 = Foundation.exp(logE - m)
                sum = e1 + e2 + e3
                logSum = m + Foundation.log(sum)
              }
              let r = logSum - y[i]
              let h: Double
              if r > delta {
                f += wi * delta * (r - 0.5 * delta)
                h = wi * delta
              } else if r < -delta {
                f += wi * delta * (-r - 0.5 * delta)
                h = -wi * delta
              } else {
                f += wi * 0.5 * r * r
                h = wi * r
              }
              let scale = h / sum
              let p1 = scale * e1
              let p2 = scale * e2
              gA += p1
              ga -= p1 * x1[i]
              gB += p2
              gb -= p2 * x2[i]
              gE += scale * e3
            }
          }
        }
      }
    }
    gradient[0] = gA
    gradient[1] = ga
    gradient[2] = gB
    gradient[3] = gb
    gradient[4] = gE
    return f
  }

  /// Objective value only (convenience for tests and reports).
  public func value(_ theta: [Double]) -> Double {
    var g = [Double](repeating: 0, count: 5)
    return theta.withUnsafeBufferPointer { t in
      g.withUnsafeMutableBufferPointer { valueAndGradient(at: t, gradient: $0) }
    }
  }
}
