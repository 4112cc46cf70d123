/// The target of model 2: a function on the circle with a power-law Fourier spectrum,
///
///     y(theta) = s sum_{k=1..K} k^-q cos(k (theta - phi_k))
///              = sum_k a_k cos(k theta) + b_k sin(k theta),
///     a_k = s k^-q cos(k phi_k),  b_k = s k^-q sin(k phi_k),
///
/// phases `phi_k` uniform from the cell's seed, `s = sqrt(2 / sum_k k^-2q)`
/// so that the mean of `y^2` over the circle is 1.
public struct CircleTarget: Sendable {
  public let decay: Double
  /// `a_k`, `b_k` for `k = 1...K` at index `k - 1`.
  public let cosineCoefficients: [Double]
  public let sineCoefficients: [Double]

  public init(decay q: Double, modes: Int, rng: RandomStream) {
    var rng = rng
    var norm = 0.0
    for k in 1...modes { norm += pow(Double(k), -2 * q) }
    let s = (2 / norm).squareRoot()
    var a = [Double](repeating: 0, count: modes)
    var b = [Double](repeating: 0, count: modes)
    for k in 1...modes {
      let phase = 2 * Double.pi * rng.uniform()
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
  /// and `sum b_k sin(k theta) = v_1 sin(theta)`. `scratch` holds `4 count` values.
  func evaluate(
    cosines: UnsafePointer<Double>, sines: UnsafePointer<Double>, count: Int,
    into out: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>
  ) {
    let u1 = scratch
    let u2 = scratch + count
    let v1 = scratch + 2 * count
    let v2 = scratch + 3 * count
    u1.update(repeating: 0, count: 4 * count)
    cosineCoefficients.withUnsafeBufferPointer { a in
      sineCoefficients.withUnsafeBufferPointer { b in
        var k = a.count &- 1
        while k >= 0 {
          let ak = a[k]
          let bk = b[k]
          for i in 0..<count {
            let twoCos = 2 * cosines[i]
            let u = ak + twoCos * u1[i] - u2[i]
            u2[i] = u1[i]
            u1[i] = u
            let v = bk + twoCos * v1[i] - v2[i]
            v2[i] = v1[i]
            v1[i] = v
          }
          k &-= 1
        }
      }
    }
    for i in 0..<count {
      out[i] = u1[i] * cosines[i] - u2[i] + v1[i] * sines[i]
    }
  }

  /// `y(theta)` for each angle (convenience for tests and setup).
  public func values(at angles: [Double]) -> [Double] {
    let c = angles.map { cos($0) }
    let s = angles.map { sin($0) }
    var out = [Double](repeating: 0, count: angles.count)
    var scratch = [Double](repeating: 0, count: 4 * angles.count)
    c.withUnsafeBufferPointer { cp in
      s.withUnsafeBufferPointer { sp in
        out.withUnsafeMutableBufferPointer { op in
          scratch.withUnsafeMutableBufferPointer { sc in
            evaluate(
              cosines: cp.baseAddress!, sines: sp.baseAddress!, count: angles.count,
              into: op.baseAddress!, scratch: sc.baseAddress!)
          }
        }
      }
    }
    return out
  }
}

#if canImport(Glibc)
  import Glibc
#endif
