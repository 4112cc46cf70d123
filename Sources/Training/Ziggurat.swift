#if canImport(Glibc)
  import Glibc
#endif

/// The tables of a 256-layer ziggurat for the standard normal density
/// `f(x) = exp(-x^2/2)` (unnormalised), after Marsaglia and Tsang (2000,
/// "The Ziggurat Method for Generating Random Variables") with Doornik's
/// (2005) one-uniform acceptance test.
///
/// The area under `f` on `x >= 0` is cut into 256 pieces of equal area `v`:
/// a base strip (the rectangle `[0, r] x [0, f(r)]` plus the tail beyond
/// `r`, drawn as a rectangle of virtual width `x_0 = v / f(r)`) and 255
/// horizontal layers; layer `i` spans heights `f(x_i) .. f(x_{i+1})` and
/// widths `0 .. x_i`, with
///   `x_1 = r`, `x_{i+1} = sqrt(-2 log(v / x_i + f(x_i)))`, `x_256 = 0`,
/// so that `x_i (f(x_{i+1}) - f(x_i)) = v`. `r` and `v` solve the closure
/// condition (the top layer ends at `x = 0`) for 256 layers.
struct ZigguratTables: Sendable {
  static let layers = 256
  static let r = 3.654_152_885_361_008_8
  static let v = 0.004_928_673_233_99

  /// `x_0 ... x_256`.
  let x: [Double]
  /// `x_{i+1} / x_i`: a draw `u x_i` with `|u|` below it lies under the curve.
  let ratio: [Double]

  static let shared = ZigguratTables()

  init() {
    var x = [Double](repeating: 0, count: Self.layers + 1)
    let fr = exp(-0.5 * Self.r * Self.r)
    x[0] = Self.v / fr
    x[1] = Self.r
    for i in 1..<(Self.layers - 1) {
      x[i + 1] = (-2 * log(Self.v / x[i] + exp(-0.5 * x[i] * x[i]))).squareRoot()
    }
    x[Self.layers] = 0
    self.x = x
    ratio = (0..<Self.layers).map { x[$0 + 1] / x[$0] }
  }
}

extension RandomStream {
  /// One standard normal draw by the ziggurat: one 64-bit draw in about
  /// 98.8% of calls (layer from its low 8 bits, a uniform on (-1, 1) from its
  /// top 53), a wedge test or the tail (Marsaglia's exponential method
  /// beyond `r`) otherwise.
  @inline(__always)
  public mutating func zigguratNormal() -> Double {
    let tables = ZigguratTables.shared
    return tables.x.withUnsafeBufferPointer { x in
      tables.ratio.withUnsafeBufferPointer { ratio in
        while true {
          let bits = next()
          let layer = Int(truncatingIfNeeded: bits & 0xFF)
          // Uniform on (-1, 1): 53 bits, never 0 or +-1.
          let u = (Double(bits >> 11) + 0.5) * 0x1.0p-52 - 1
          if abs(u) < ratio[layer] { return u * x[layer] }
          if layer == 0 { return tail(negative: u < 0) }
          let value = u * x[layer]
          let f0 = exp(-0.5 * (x[layer] * x[layer] - value * value))
          let f1 = exp(-0.5 * (x[layer + 1] * x[layer + 1] - value * value))
          if f1 + uniform() * (f0 - f1) < 1 { return value }
        }
      }
    }
  }

  /// The normal tail beyond `r`: `x = -log(U1) / r`, accepted when
  /// `-2 log(U2) > x^2`; returns `r + x` with the sign asked for.
  private mutating func tail(negative: Bool) -> Double {
    let r = ZigguratTables.r
    while true {
      let x = -log(uniform()) / r
      let y = -log(uniform())
      if 2 * y > x * x { return negative ? -(r + x) : r + x }
    }
  }
}
