import Foundation
import SweepSpec
import Testing
import Training

/// The infinite-width NTK of a model-2 network (ReLU, biases, all weights
/// N(0, 1)) on the circle, by the arc-cosine recursion, independent of the
/// network code: with `Sigma_1 = cos(Delta) + 1` (input layer and bias),
///
///     Sigma_{l+1} = E[relu(u) relu(v)] + 1,   Sigmadot_{l+1} = E[relu'(u) relu'(v)],
///     Theta_1 = Sigma_1,   Theta_{l+1} = Sigma_{l+1} + Sigmadot_{l+1} Theta_l,
///
/// `(u, v)` Gaussian with covariance `Sigma_l`, and at the readout (no bias,
/// `f = w . relu(h) / N`) `lim N K = E[relu relu] + Sigmadot Theta`.
/// For equal variances `s` and correlation `rho = cos(phi)`:
/// `E[relu relu] = s (sin phi + (pi - phi) cos phi) / (2 pi)`, `Sigmadot = (pi - phi) / (2 pi)`.
func analyticCircleNTK(delta: Double, depth: Int) -> Double {
  var sigma = cos(delta) + 1
  var variance = 2.0
  var theta = sigma
  func layer(_ sigma: Double, _ variance: Double) -> (relu: Double, derivative: Double) {
    let rho = max(-1, min(1, sigma / variance))
    let phi = acos(rho)
    return (
      variance * (sin(phi) + (Double.pi - phi) * cos(phi)) / (2 * Double.pi),
      (Double.pi - phi) / (2 * Double.pi)
    )
  }
  for _ in 1...(depth - 2) {
    let (relu, derivative) = layer(sigma, variance)
    let (diagonal, _) = layer(variance, variance)
    sigma = relu + 1
    theta = sigma + derivative * theta
    variance = diagonal + 1
  }
  let (relu, derivative) = layer(sigma, variance)
  return relu + derivative * theta
}

@Suite struct KernelAtInitTests {
  init() { BLAS.useSingleThread() }

  /// `task.phases` and `model.activation` are read, stored in the normalised
  /// job and read back; `{"relu_power": 1}` is plain ReLU; bad values are
  /// refused naming the key.
  @Test func phasesAndActivationAreStored() throws {
    let text = """
      {"name": "p", "model": {"kind": "mlp-circle", "depth": 3, "activation": {"relu_power": 1.5}},
       "task": [{"q": 1, "phases": "zero"}, {"q": 1}],
       "grid": {"width": [16], "gamma": [0.001, 1], "steps": [10]}, "training": {"lr": 0.5}}
      """
    let job = try JobSpec.parse(text, file: "p.json")
    guard case .mlpCircle(let spec) = job.model else {
      Issue.record("not mlp-circle")
      return
    }
    #expect(spec.activation == .reluPower(1.5))
    #expect(spec.activation.nominalAlpha == 3)
    #expect(job.tasks.map(\.phases) == [.zero, .random])
    let stored = job.normalizedJSON
    #expect(stored.contains("\"relu_power\":1.5"), "\(stored)")
    #expect(stored.contains("\"phases\":\"zero\"") && stored.contains("\"phases\":\"random\""))
    #expect(try JobSpec.parse(stored, file: "stored") == job)
    let plain = try JobSpec.parse(
      text.replacingOccurrences(of: "1.5", with: "1"), file: "plain.json")
    guard case .mlpCircle(let plainSpec) = plain.model else { return }
    #expect(plainSpec.activation == .relu)
    #expect(plain.normalizedJSON.contains("\"activation\":\"relu\""))
    for (bad, key) in [
      ("\"phases\": \"zero\"", "\"phases\": \"none\""), ("1.5}", "0.5}"),
      ("{\"relu_power\": 1.5}", "\"tanh\""),
    ] {
      let broken = text.replacingOccurrences(of: bad, with: key)
      #expect(throws: JobSpecError.self) { try JobSpec.parse(broken, file: "bad.json") }
    }
  }

  /// Zero phases: `y = s sum_k k^-q cos(k theta)`, the same for every seed.
  @Test func zeroPhaseTargetIsACosineSeries() {
    let a = CircleTarget(decay: 1, modes: 64, phases: .zero, rng: RandomStream(key: [1]))
    let b = CircleTarget(decay: 1, modes: 64, phases: .zero, rng: RandomStream(key: [2]))
    #expect(a.sineCoefficients.allSatisfy { $0 == 0 })
    #expect(a.cosineCoefficients == b.cosineCoefficients)
    let s = a.cosineCoefficients[0]
    #expect(abs(a.cosineCoefficients[9] - s / 10) < 1e-15)
    #expect(abs(a.values(at: [0])[0] - a.cosineCoefficients.reduce(0, +)) < 1e-12)
  }

  /// ReLU^p back-propagation against central differences (p = 1.5 and 3).
  @Test(arguments: [1.5, 3.0])
  func reluPowerGradientMatchesFiniteDifferences(power: Double) {
    let network = MLPCircleNetwork(
      width: 6, depth: 4, gamma0: 0.7, capacity: 5, rng: RandomStream(key: [9]),
      activationPower: power)
    let angles = [0.3, 1.9, 2.8, 4.4, 5.9]
    let targets = [0.5, -0.2, 0.9, -0.7, 0.1]
    network.step(at: angles, targets: targets, learningRate: 0.01)
    let theta = network.parameters
    let gradient = network.gradient(at: angles, targets: targets)
    let h = 1e-6
    var worst = 0.0
    let scale = gradient.map(abs).max()!
    for i in stride(from: 0, to: theta.count, by: 3) {
      var plus = theta
      plus[i] += h
      network.parameters = plus
      let up = network.loss(at: angles, targets: targets)
      plus[i] -= 2 * h
      network.parameters = plus
      let down = network.loss(at: angles, targets: targets)
      worst = max(worst, abs((up - down) / (2 * h) - gradient[i]))
    }
    network.parameters = theta
    #expect(worst < 1e-6 * max(1, scale), "worst \(worst), scale \(scale)")
  }

  /// The measured alpha moves with the activation: about 2 p on the circle
  /// (ReLU 2.0; ReLU^2 measured 3.9 at width 256, depth 3).
  @Test func reluPowerSteepensTheSpectrum() {
    let relu = CircleKernelSpectrum(width: 256, depth: 3, points: 256, seeds: [0])
    let square = CircleKernelSpectrum(
      width: 256, depth: 3, points: 256, seeds: [0], activationPower: 2)
    let a1 = relu.capacityExponent(modes: 4...32)
    let a2 = square.capacityExponent(modes: 4...32)
    #expect(abs(a1 - 2) < 0.3, "relu alpha \(a1)")
    #expect(abs(a2 - 4) < 0.6, "relu^2 alpha \(a2)")
  }

  /// Gradient descent on a kernel matrix (eigendecomposition by LAPACK)
  /// against the same dynamics computed mode by mode from the Fourier
  /// coefficients of the analytic infinite-width NTK (a circulant matrix on an
  /// equally spaced grid: its eigenvalues are the DFT of its first row), and
  /// the N -> infinity exponent on the hard target: 0.498 over t = 100-10^4 in
  /// an independent NumPy computation (science.md).
  @Test func kernelDescentMatchesTheAnalyticSpectrum() throws {
    let points = 1040  // more than twice the target's 512 modes
    let depth = 4
    let eta0 = 0.5
    let row = (0..<points).map {
      analyticCircleNTK(delta: 2 * Double.pi * Double($0) / Double(points), depth: depth)
    }
    var matrix = [Double](repeating: 0, count: points * points)
    for i in 0..<points {
      for j in 0..<points { matrix[i * points + j] = row[(j - i + points) % points] }
    }
    let descent = try #require(
      KernelGradientDescent(kernel: matrix, points: points, learningRate: eta0))
    #expect(descent.isStable)
    let target = CircleTarget(decay: 1, modes: 512, rng: RandomStream(key: [3]))
    let angles = (0..<points).map { 2 * Double.pi * Double($0) / Double(points) }
    let steps = KernelAtInitBaseline.logSpacedSteps(upTo: 10_000, count: 41)
    let matrixLoss = descent.loss(target: target.values(at: angles), at: steps)
    // Mode k of the circulant: lambda_k = sum_j row_j cos(2 pi j k / T); the
    // mean square of mode k's part of y on the grid is (a_k^2 + b_k^2) / 2.
    let powers = target.modePowers
    let rates = (1...512).map { k in
      eta0 / Double(points)
        * (0..<points).reduce(0.0) {
          $0 + row[$1] * cos(2 * Double.pi * Double($1 * k % points) / Double(points))
        }
    }
    let fourierLoss = steps.map { t in
      zip(powers, rates).reduce(0.0) { $0 + $1.0 / 2 * pow(abs(1 - $1.1), 2 * t) }
    }
    for (m, f) in zip(matrixLoss, fourierLoss) {
      #expect(abs(m / f - 1) < 1e-8, "matrix \(m) vs Fourier \(f)")
    }
    let start = descent.loss(target: target.values(at: angles), at: [0])[0]
    #expect(abs(start - 1) < 1e-9, "L(0) = mean y^2 = \(start)")
    let baseline = KernelAtInitBaseline(
      width: 0, learningRate: eta0, points: points, seeds: [0], steps: steps, loss: matrixLoss,
      largestRate: descent.rates.max()!)
    let chi = try #require(baseline.exponent(over: 100...10_000))
    #expect(abs(chi - 0.498) < 0.02, "infinite-width exponent \(chi)")
  }

  /// A wide network's `N K` at initialisation approaches the analytic kernel:
  /// its rotation-averaged Fourier eigenvalues (``CircleKernelSpectrum``)
  /// agree with the analytic ones for the leading modes.
  @Test func wideNetworkKernelApproachesTheAnalyticOne() {
    let points = 128
    let width = 1024
    let depth = 4
    let spectrum = CircleKernelSpectrum(width: width, depth: depth, points: points, seeds: [0])
    let row = (0..<points).map {
      analyticCircleNTK(delta: 2 * Double.pi * Double($0) / Double(points), depth: depth)
    }
    for k in [0, 1, 2, 3, 5, 8] {
      // CircleKernelSpectrum reports lambda_k / T for the circulant N K (c_k^T c_k + s_k^T s_k = T).
      let analytic =
        (0..<points).reduce(0.0) {
          $0 + row[$1] * cos(2 * Double.pi * Double($1 * k) / Double(points))
        } / Double(points)
      let measured = spectrum.eigenvalues[k] * Double(width)
      #expect(abs(measured / analytic - 1) < 0.1, "mode \(k): \(measured) vs \(analytic)")
    }
  }
}
