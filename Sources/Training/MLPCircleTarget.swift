import SweepSpec

/// The target of model 2: a function on the circle with a power-law Fourier spectrum,
///
///     y(theta) = s sum_{k=1..K} k^-q cos(k (theta - phi_k))
///              = sum_k a_k cos(k theta) + b_k sin(k theta),
///     a_k = s k^-q cos(k phi_k),  b_k = s k^-q sin(k phi_k),
///
/// phases `phi_k` uniform from the cell's seed (``TargetPhases/random``) or
/// all zero (``TargetPhases/zero``), `s = sqrt(2 / sum_k k^-2q)`
/// so that the mean of `y^2` over the circle is 1.
public struct CircleTarget: Sendable {
  public let decay: Double
  /// `a_k`, `b_k` for `k = 1...K` at index `k - 1`.
  public let cosineCoefficients: [Double]
  public let sineCoefficients: [Double]

  public init(decay q: Double, modes: Int, phases: TargetPhases = .random, rng: RandomStream) {
    var rng = rng
    var norm = 0.0
    for k in 1...modes { norm += pow(Double(k), -2 * q) }
    let s = (2 / norm).squareRoot()
    var a = [Double](repeating: 0, count: modes)
    var b = [Double](repeating: 0, count: modes)
    for k in 1...modes {
      let phase = phases == .zero ? 0 : 2 * Double.pi * rng.uniform()
      let amplitude = s * pow(Double(k), -q)
      a[k - 1] = amplitude * cos(Double(k) * phase)
      b[k - 1] = amplitude * sin(Double(k) * phase)
    }
    decay = q
    cosineCoefficients = a
    sineCoefficients = b
  }

  public var modes: Int { cosineCoefficients.count }

  /// Power `a_k^2 + b_k^2 = s^2 k^-2q` of mode `k` (index `k - 1`).
  public var modePowers: [Double] {
    zip(cosineCoefficients, sineCoefficients).map { $0 * $0 + $1 * $1 }
  }

  /// `y` at `count` angles by Clenshaw's recurrence (4 K FLOPs per angle,
  /// no trigonometric calls): with `u_k = a_k + 2 cos(theta) u_{k+1} - u_{k+2}`
  /// (and `v_k` likewise from `b_k`), `sum a_k cos(k theta) = u_1 cos(theta) - u_2`
  /// and `sum b_k sin(k theta) = v_1 sin(theta)`.
  func evaluate(
    cosines: UnsafePointer<Double>, sines: UnsafePointer<Double>, count: Int,
    into out: UnsafeMutablePointer<Double>
  ) {
    // Eight angles at a time, the recurrence state in registers.
    typealias V = SIMD8<Double>
    cosineCoefficients.withUnsafeBufferPointer { a in
      sineCoefficients.withUnsafeBufferPointer { b in
        var start = 0
        while start < count {
          let lanes = min(8, count &- start)
          var c = V(repeating: 0)
          var s = V(repeating: 0)
          for j in 0..<lanes {
            c[j] = cosines[start &+ j]
            s[j] = sines[start &+ j]
          }
          let twoCos = 2 * c
          var u1 = V(repeating: 0)
          var u2 = V(repeating: 0)
          var v1 = V(repeating: 0)
          var v2 = V(repeating: 0)
          var k = a.count &- 1
          while k >= 0 {
            let u = twoCos * u1 - u2 + a[k]
            u2 = u1
            u1 = u
            let v = twoCos * v1 - v2 + b[k]
            v2 = v1
            v1 = v
            k &-= 1
          }
          let y = u1 * c - u2 + v1 * s
          for j in 0..<lanes { out[start &+ j] = y[j] }
          start &+= 8
        }
      }
    }
  }

  /// `y(theta)` for each angle (convenience for tests and setup).
  public func values(at angles: [Double]) -> [Double] {
    if angles.isEmpty { return [] }
    let c = angles.map { cos($0) }
    let s = angles.map { sin($0) }
    var out = [Double](repeating: 0, count: angles.count)
    c.withUnsafeBufferPointer { cp in
      s.withUnsafeBufferPointer { sp in
        out.withUnsafeMutableBufferPointer { op in
          evaluate(
            cosines: cp.baseAddress!, sines: sp.baseAddress!, count: angles.count,
            into: op.baseAddress!)
        }
      }
    }
    return out
  }
}

#if canImport(Glibc)
  import Glibc
#endif
