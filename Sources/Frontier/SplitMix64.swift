import Foundation

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast generator whose output
/// depends only on its seed, so bootstrap replicate `r` is reproducible on any
/// rank, any machine and any Swift version.
///
/// `state <- state + 0x9E3779B97F4A7C15`, output = mix(state).
public struct SplitMix64: RandomNumberGenerator, Sendable {
  public private(set) var state: UInt64

  public init(seed: UInt64) { state = seed }

  /// Independent stream `stream` of a base seed: replicate `r` of a
  /// bootstrap uses `SplitMix64(baseSeed: seed, stream: r)`.
  public init(baseSeed: UInt64, stream: UInt64) {
    var mixer = SplitMix64(seed: baseSeed ^ (stream &* 0xD1B5_4A32_D192_ED03))
    self.init(seed: mixer.next() ^ stream)
  }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform integer in `0..<bound` by the multiply-high method (Lemire
  /// 2019, without rejection: bias below 2^-40 for the bounds used here).
  public mutating func nextIndex(below bound: Int) -> Int {
    precondition(bound > 0)
    return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
  }
}
