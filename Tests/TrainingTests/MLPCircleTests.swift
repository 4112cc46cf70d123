import Foundation
import SweepSpec
import Testing
import Training

/// A model-2 job with small defaults so tests stay fast.
func circleJob(
  widths: [Int] = [32], depth: Int = 3, q: [Double] = [1], gammas: [Double] = [1],
  data: [DataSize] = [.online], steps: Int = 200, lr: LearningRate = .constant(0.5),
  batch: Int = 32, recordPoints: Int = 12, seeds: [Int] = [0], testPoints: Int = 512,
  modes: Int = 128
) -> JobSpec {
  JobSpec(
    name: "test",
    model: .mlpCircle(MLPCircleSpec(depth: depth, testPoints: testPoints, modes: modes)),
    tasks: q.map { TaskSpec(fourierDecay: $0) },
    grid: GridSpec(
      widths: widths, data: data, gammas: gammas, seeds: seeds, steps: [steps],
      learningRates: [lr], batches: [batch]),
    training: TrainingSpec(recordPoints: recordPoints))
}

@Suite struct MLPCircleTests {
  init() { BLAS.useSingleThread() }

  /// A circle job reads back from its normalised form to the same spec
  /// (what `run --resume` compares), with `beta` stored as `q`.
  @Test func normalisedJobReadsBackTheSame() throws {
    let text = """
      {"name": "n", "model": {"kind": "mlp-circle", "depth": 4},
       "task": [{"beta": 0.5}, {"q": 1.75}],
       "grid": {"width": [32], "gamma": [0.01, 1], "data": [64, "online"], "steps": [10]},
       "training": {"lr": 0.5}}
      """
    let job = try JobSpec.parse(text, file: "n.json")
    #expect(job.model == .mlpCircle(MLPCircleSpec(depth: 4, testPoints: 4096, modes: 512)))
    #expect(job.tasks.map(\.fourierDecay) == [1.0, 1.75])
    #expect(job.tasks.map(\.beta) == [0.5, 1.25])
    #expect(job.tasks.map(\.difficulty) == [.hard, .easy])
    let again = try JobSpec.parse(job.normalizedJSON, file: "normalised")
    #expect(again == job)
    // flops_per_step = 2 B N (3 (D - 2) N + 6) with the default batch 32.
    #expect(job.cost(of: job.cells[0]).flopsPerStep == 2 * 32 * 32 * (3 * 2 * 32 + 6))
  }

  /// Back-propagation against central differences, every tensor, depths 3 and 4.
  @Test(arguments: [3, 4])
  func gradientMatchesFiniteDifferences(depth: Int) {
    let network = MLPCircleNetwork(
      width: 6, depth: depth, gamma0: 0.7, capacity: 5, rng: RandomStream(key: [7, UInt64(depth)]))
    // Move away from the initial point so F != 0 and every tensor matters.
    let angles = [0.3, 1.9, 2.8, 4.4, 5.9]
    let targets = [0.5, -0.2, 0.9, -0.7, 0.1]
    network.step(at: angles, targets: targets, learningRate: 0.3)
    let theta = network.parameters
    let gradient = network.gradient(at: angles, targets: targets)
    let h = 1e-6
    for (name, range) in network.tensors {
      var worst = 0.0
      var scale = 0.0
      for i in range {
        var plus = theta
        plus[i] += h
        network.parameters = plus
        let up = network.loss(at: angles, targets: targets)
        var minus = theta
        minus[i] -= h
        network.parameters = minus
        let down = network.loss(at: angles, targets: targets)
        let numeric = (up - down) / (2 * h)
        worst = max(worst, abs(numeric - gradient[i]))
        scale = max(scale, abs(gradient[i]))
      }
      network.parameters = theta
      #expect(scale > 1e-6, "depth \(depth) \(name): gradient vanishes")
      #expect(
        worst < 1e-6 * max(scale, 1), "depth \(depth) \(name): max error \(worst), scale \(scale)")
    }
  }

  /// The Gram-matrix NTK equals the dot products of per-sample gradients.
  @Test func tangentKernelMatchesJacobian() {
    let network = MLPCircleNetwork(
      width: 8, depth: 4, gamma0: 0.5, capacity: 4, rng: RandomStream(key: [11]))
    let angles = [0.1, 1.2, 3.3, 5.0]
    let kernel = network.neuralTangentKernel(at: angles)
    let jacobian = angles.map { network.outputGradient(at: $0) }
    for i in 0..<4 {
      for j in 0..<4 {
        let direct = zip(jacobian[i], jacobian[j]).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(kernel[i * 4 + j] - direct) < 1e-9 * max(1, abs(direct)))
      }
    }
  }

  /// Clenshaw's recurrence against the direct cosine sum, and the unit mean square.
  @Test func targetIsItsFourierSeriesWithUnitPower() {
    let target = CircleTarget(decay: 1, modes: 64, rng: RandomStream(key: [3]))
    let angles = (0..<256).map { 2 * Double.pi * Double($0) / 256 }
    let fast = target.values(at: angles)
    var meanSquare = 0.0
    for (theta, y) in zip(angles, fast) {
      var direct = 0.0
      for k in 1...64 {
        direct += target.cosineCoefficients[k - 1] * cos(Double(k) * theta)
        direct += target.sineCoefficients[k - 1] * sin(Double(k) * theta)
      }
      #expect(abs(direct - y) < 1e-12)
      meanSquare += y * y / 256
    }
    #expect(abs(meanSquare - 1) < 1e-12)
    #expect(abs(target.fittedDecay() - 1) < 1e-12)
  }

  @Test func sameCellSameBitsSeedsDifferLossFalls() throws {
    let job = circleJob(seeds: [0, 1])
    let trainer = job.makeRunner()
    let first = try trainer.train(job.cells[0])
    let again = try trainer.train(job.cells[0])
    let other = try trainer.train(job.cells[1])
    #expect(first == again)
    #expect(first.testLoss != other.testLoss)
    #expect(first.status == .done)
    #expect(first.testLoss.last! < 0.6 * first.testLoss.first!)
  }

  @Test func finiteDataTrainLossBelowTestLoss() throws {
    let job = circleJob(widths: [64], data: [.finite(16)], steps: 1500)
    let outcome = try job.makeRunner().train(job.cells[0])
    #expect(outcome.status == .done)
    #expect(outcome.trainLoss.last! < 0.2 * outcome.testLoss.last!)
  }

  @Test func hugeLearningRateDiverges() throws {
    let job = circleJob(lr: .constant(500))
    let outcome = try job.makeRunner().train(job.cells[0])
    #expect(outcome.status == .diverged)
    let step = try #require(outcome.divergedStep)
    #expect(step >= 1 && step <= 200)
    #expect(outcome.testLoss.last!.isNaN)
  }

  @Test func stopDirectiveStopsTheCell() throws {
    let job = circleJob()
    let supervisor = StopAfter(step: 3)
    let outcome = try job.makeRunner().run(job.cells[0], supervisor: supervisor)
    #expect(outcome == nil)
    #expect(supervisor.asked == 3)
  }

  /// Single and double precision follow the same curve (statistically: a ReLU
  /// flip separates them eventually, science.md).
  @Test func singleAndDoublePrecisionAgree() throws {
    let job = circleJob(widths: [64], steps: 300)
    let single = try MLPCircleTrainer(job: job, precision: .single).train(job.cells[0])
    let double = try MLPCircleTrainer(job: job, precision: .double).train(job.cells[0])
    #expect(abs(single.testLoss[3] - double.testLoss[3]) < 1e-4 * double.testLoss[3])
    #expect(abs(single.testLoss.last! - double.testLoss.last!) < 0.05 * double.testLoss.last!)
  }

  /// The initial NTK on the circle decays as `k^-2` (science.md: alpha = 2 for ReLU).
  @Test func tangentKernelSpectrumDecaysWithAlphaTwo() {
    let spectrum = CircleKernelSpectrum(width: 128, depth: 3, points: 256, seeds: [0])
    let alpha = spectrum.capacityExponent()
    #expect(abs(alpha - 2) < 0.2, "alpha \(alpha)")
  }

  /// `gamma0 -> 0` is the lazy limit: full-batch gradient descent of the
  /// network stays within `O(gamma0)` of the linearised model (measured at
  /// N = 256: relative distance 0.19, 0.067, 0.036, 2.5e-3, 4.4e-4, 7.5e-7
  /// for gamma0 = 1 ... 1e-5; a ReLU that flips adds O(1/N), which is why the
  /// width is not smaller)
  /// `F_lin(t+1) = F_lin(t) - eta K0(., S) (F_lin(S) - y) / P` driven by the
  /// initial NTK `K0`, while `gamma0 = 1` leaves it.
  @Test func smallGammaFollowsTheLinearisedModel() {
    func deviation(gamma0: Double) -> (function: Double, loss: Double) {
      let width = 256
      let train = (0..<24).map { 2 * Double.pi * (Double($0) + 0.37) / 24 }
      let test = (0..<40).map { 2 * Double.pi * (Double($0) + 0.61) / 40 }
      let all = train + test
      let target = CircleTarget(decay: 1, modes: 8, rng: RandomStream(key: [5]))
      let y = target.values(at: train)
      let yTest = target.values(at: test)
      let network = MLPCircleNetwork(
        width: width, depth: 3, gamma0: gamma0, capacity: all.count, rng: RandomStream(key: [9]))
      let kernel = network.neuralTangentKernel(at: all)
      let eta = 0.1 * gamma0 * gamma0 * Double(width)
      var linear = [Double](repeating: 0, count: all.count)
      let p = train.count
      var worstLoss = 0.0
      for _ in 0..<300 {
        let residual = (0..<p).map { (linear[$0] - y[$0]) / Double(p) }
        for i in 0..<all.count {
          var s = 0.0
          for j in 0..<p { s += kernel[i * all.count + j] * residual[j] }
          linear[i] -= eta * s
        }
        network.step(at: train, targets: y, learningRate: eta)
        let f = network.centredOutputs(at: test)
        let lossNet = zip(f, yTest).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let lossLin = zip(linear[p...], yTest).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        worstLoss = max(worstLoss, abs(lossNet - lossLin) / lossLin)
      }
      let f = network.centredOutputs(at: test)
      let difference = zip(f, linear[p...]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
      let size = linear[p...].reduce(0) { $0 + $1 * $1 }
      return ((difference / size).squareRoot(), worstLoss)
    }
    let lazy = deviation(gamma0: 1e-3)
    let rich = deviation(gamma0: 1)
    // Quantitative bound: relative function distance below 1e-2 and test
    // losses within 1% at every step for gamma0 = 1e-3 ...
    #expect(lazy.function < 1e-2, "lazy deviation \(lazy)")
    #expect(lazy.loss < 1e-2, "lazy deviation \(lazy)")
    // ... and far from it when features learn.
    #expect(rich.function > 10 * lazy.function, "rich \(rich) lazy \(lazy)")
  }
}
