/// A reproducible stream of random numbers for one purpose of one cell.
///
/// xoshiro256++ (Blackman and Vigna) seeded through SplitMix64 from a key that
/// hashes the cell's coordinates and a stream number, so a cell draws the same
/// numbers whichever rank trains it and however many ranks there are.
public struct RandomStream: Sendable {
  private var s0: UInt64
  private var s1: UInt64
  private var s2: UInt64
  private var s3: UInt64

  /// A stream keyed by any list of integers (order matters).
  public init(key: [UInt64]) {
    var h: UInt64 = 0x5CA1_E5EE_D000_0001
    for k in key {
      h = RandomStream.splitMix(&h) ^ k
      h = h &* 0x9E37_79B9_7F4A_7C15
    }
    var state = h
    s0 = RandomStream.splitMix(&state)
    s1 = RandomStream.splitMix(&state)
    s2 = RandomStream.splitMix(&state)
    s3 = RandomStream.splitMix(&state)
    if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
  }

  /// SplitMix64 step: advances `state` and returns a well-mixed output.
  static func splitMix(_ state: inout UInt64) -> UInt64 {
    state = state &+ 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  @inline(__always)
  public mutating func next() -> UInt64 {
    let result = rotl(s0 &+ s3, 23) &+ s0
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 45)
    return result
  }

  @inline(__always)
  private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

  /// Uniform on the open interval (0, 1), 53 random bits.
  @inline(__always)
  public mutating func uniform() -> Double {
    (Double(next() >> 11) + 0.5) * 0x1.0p-53
  }

  /// Uniform integer in `0..<bound` (Lemire's multiply-shift; bias below 2^-32 for our bounds).
  @inline(__always)
  public mutating func index(below bound: Int) -> Int {
    Int(truncatingIfNeeded: ((next() >> 32) &* UInt64(bound)) >> 32)
  }

  /// Which normals this stream draws; stored in results files
  /// (`random_stream`): a file drawn with another version cannot be resumed,
  /// since its cells would not continue bit for bit.
  ///   1: Box-Muller (log, cos, sin per pair); 2: 256-layer ziggurat.
  public static let version = 2

  /// One standard normal draw (``zigguratNormal()``).
  public mutating func normal() -> Double { zigguratNormal() }

  /// Fills `buffer` with standard normals, one ``zigguratNormal()`` each in order.
  public mutating func fillNormals(_ buffer: UnsafeMutableBufferPointer<Double>) {
    for i in buffer.indices { buffer[i] = zigguratNormal() }
  }
}

#if canImport(Glibc)
  import Glibc
#endif
