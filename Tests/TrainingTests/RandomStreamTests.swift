import Foundation
import Testing

@testable import Training

/// The ziggurat's normals against the normal distribution itself (its CDF
/// through erfc), not against another generator.
@Suite struct RandomStreamTests {
  static let count = 2_000_000
  static let draws: [Double] = {
    var rng = RandomStream(key: [7, 11])
    var out = [Double](repeating: 0, count: count)
    out.withUnsafeMutableBufferPointer { rng.fillNormals($0) }
    return out
  }()

  /// Standard normal CDF.
  func phi(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

  /// The layers close: x_1 = r, the top layer ends at 0 and has area v.
  @Test func tablesClose() {
    let t = ZigguratTables.shared
    #expect(t.x[1] == ZigguratTables.r)
    let top = t.x[255] * (1 - exp(-0.5 * t.x[255] * t.x[255]))
    #expect(abs(top - ZigguratTables.v) < 1e-9)
    #expect(t.ratio.allSatisfy { $0 >= 0 && $0 < 1 })
  }

  /// Moments within 5 standard errors: mean 0, variance 1, skew 0, kurtosis 3.
  @Test func momentsMatch() {
    let n = Double(Self.count)
    let mean = Self.draws.reduce(0, +) / n
    var m2 = 0.0
    var m3 = 0.0
    var m4 = 0.0
    for z in Self.draws {
      let d = z - mean
      m2 += d * d
      m3 += d * d * d
      m4 += d * d * d * d
    }
    m2 /= n
    m3 /= n
    m4 /= n
    #expect(abs(mean) < 5 / n.squareRoot())
    #expect(abs(m2 - 1) < 5 * (2 / n).squareRoot())
    #expect(abs(m3) < 5 * (15 / n).squareRoot())
    #expect(abs(m4 - 3) < 5 * (96 / n).squareRoot())
  }

  /// Chi-square over 80 bins on [-4, 4] plus both tails (81 degrees of
  /// freedom): below 150 (p about 1e-5), so the wedges and the tail are right.
  @Test func histogramMatchesTheNormalCDF() {
    let bins = 80
    let width = 8.0 / Double(bins)
    var counts = [Double](repeating: 0, count: bins + 2)
    for z in Self.draws {
      let k = z < -4 ? 0 : z >= 4 ? bins + 1 : 1 + min(bins - 1, Int((z + 4) / width))
      counts[k] += 1
    }
    var chi2 = 0.0
    for k in 0..<(bins + 2) {
      let lower = k == 0 ? -Double.infinity : -4 + Double(k - 1) * width
      let upper = k == bins + 1 ? Double.infinity : -4 + Double(k) * width
      let expected = Double(Self.count) * (phi(upper) - phi(lower))
      chi2 += (counts[k] - expected) * (counts[k] - expected) / expected
    }
    #expect(chi2 < 150, "chi2 = \(chi2)")
    // Beyond r (the tail method): 2 (1 - Phi(r)) of the draws, within 5 sigma.
    let beyond = Double(Self.draws.filter { abs($0) > ZigguratTables.r }.count)
    let p = 2 * (1 - phi(ZigguratTables.r))
    let expected = p * Double(Self.count)
    #expect(abs(beyond - expected) < 5 * expected.squareRoot(), "\(beyond) vs \(expected)")
  }

  /// A stream is a pure function of its key.
  @Test func sameKeySameDraws() {
    var a = RandomStream(key: [1, 2, 3])
    var b = RandomStream(key: [1, 2, 3])
    for _ in 0..<1000 { #expect(a.normal().bitPattern == b.normal().bitPattern) }
  }
}
