import Foundation
import Frontier

/// Learning curves drawn from a known surface `L = E + A N^-a + B t^-b`
/// with multiplicative log-normal noise, C = 6 N t.
struct SyntheticSweep {
  var E = 0.0
  var A = 4.0
  var a = 1.0
  var B = 2.0
  var b = 0.5
  var noise = 0.01
  var widths: [Double] = (0..<9).map { 32 * pow(2, Double($0)) }
  var steps: [Double] = (0...48).map { pow(10, Double($0) / 8) }
  var seeds = 3
  var gamma = 0.0

  func curves(seed: UInt64) -> [LossCurve] {
    var generator = SplitMix64(seed: seed)
    func gaussian() -> Double {
      let u1 = (Double(generator.next() >> 11) + 0.5) / 9_007_199_254_740_992
      let u2 = Double(generator.next() >> 11) / 9_007_199_254_740_992
      return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    var result: [LossCurve] = []
    for s in 0..<seeds {
      for n in widths {
        let loss = steps.map { t in
          (E + A * pow(n, -a) + B * pow(t, -b)) * exp(noise * gaussian())
        }
        result.append(
          LossCurve(
            width: n, gamma: gamma, task: "synthetic", seed: s, flopsPerStep: 6 * n, steps: steps,
            loss: loss))
      }
    }
    return result
  }
}
