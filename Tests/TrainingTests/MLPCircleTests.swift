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
    grid: GridSpec(widths: widths, data: data, gammas: gammas, seeds: seeds, steps: [steps]),
    training: TrainingSpec(batch: batch, learningRate: lr, recordPoints: recordPoints))
}

@Suite struct MLPCircleTests {
  init() { BLAS.useSingleThread() }

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
      #expect(worst < 1e-6 * max(scale, 1), "depth \(depth) \(name): max error \(worst), scale \(scale)")
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
    let trainer = job.makeTrainer()
    let first = try trainer.train(job.cells[0]) { .proceed }
    let again = try trainer.train(job.cells[0]) { .proceed }
    let other = try trainer.train(job.cells[1]) { .proceed }
    #expect(first == again)
    #expect(first.testLoss != other.testLoss)
    #expect(first.status == .done)
    #expect(first.testLoss.last! < 0.6 * first.testLoss.first!)
  }

  @Test func finiteDataTrainLossBelowTestLoss() throws {
    let job = circleJob(widths: [64], data: [.finite(16)], steps: 1500)
    let outcome = try job.makeTrainer().train(job.cells[0]) { .proceed }
    #expect(outcome.status == .done)
    #expect(outcome.trainLoss.last! < 0.2 * outcome.testLoss.last!)
  }

  @Test func hugeLearningRateDiverges() throws {
    let job = circleJob(lr: .constant(500))
    let outcome = try job.makeTrainer().train(job.cells[0]) { .proceed }
    #expect(outcome.status == .diverged)
    let step = try #require(outcome.divergedStep)
    #expect(step >= 1 && step <= 200)
    #expect(outcome.testLoss.last!.isNaN)
  }

  @Test func abandonStopsTheCell() throws {
    let job = circleJob()
    var calls = 0
    #expect(throws: TrainingError.interrupted(cell: 0, step: 3)) {
      _ = try job.makeTrainer().train(job.cells[0]) {
        calls += 1
        return calls >= 3 ? .abandon : .proceed
      }
    }
  }

  /// Single and double precision follow the same curve (statistically: a ReLU
  /// flip separates them eventually, science.md).
  @Test func singleAndDoublePrecisionAgree() throws {
    let job = circleJob(widths: [64], steps: 300)
    let single = try MLPCircleTrainer(job: job, precision: .single).train(job.cells[0]) { .proceed }
    let double = try MLPCircleTrainer(job: job, precision: .double).train(job.cells[0]) { .proceed }
    #expect(abs(single.testLoss[3] - double.testLoss[3]) < 1e-4 * double.testLoss[3])
    #expect(abs(single.testLoss.last! - double.testLoss.last!) < 0.05 * double.testLoss.last!)
  }

  @Test func printSpectrum() {
    let s = CircleKernelSpectrum(width: 256, depth: 3, points: 256, seeds: [0])
    print(s.eigenvalues.prefix(70).enumerated().map { "\($0.offset):\(String(format: "%.3g", $0.element))" }.joined(separator: " "))
    print("alpha", s.capacityExponent(), s.capacityExponent(modes: 2...32), s.capacityExponent(modes: 8...100))
  }
}
