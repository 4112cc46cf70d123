import Foundation

/// Huber's loss with threshold `delta` (scipy.special.huber):
///
///     H(r) = r^2 / 2                    if |r| <= delta
///     H(r) = delta (|r| - delta / 2)    otherwise
///
/// Quadratic near zero, linear in the tails, so a few outlying runs pull the
/// fit much less than under least squares.
public struct HuberLoss: Sendable, Codable, Equatable {
  public var delta: Double
  public init(delta: Double = 1e-3) { self.delta = delta }

  @inline(__always) public func value(_ r: Double) -> Double {
    let a = abs(r)
    return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta)
  }

  /// `H'(r) = clamp(r, -delta, delta)`.
  @inline(__always) public func derivative(_ r: Double) -> Double {
    r > delta ? delta : (r < -delta ? -delta : r)
  }
}
