import SweepSpec

#if canImport(Glibc)
  import Glibc
#endif

/// Trains model 2 cells (``MLPCircleEngine``) on a ``CircleTarget``: online
/// SGD on fresh uniform angles, or SGD on a fixed set of `P` angles; test loss
/// is the mean squared error of the centred output on `test_points` equally
/// spaced angles (exact for the band-limited target).
public struct MLPCircleTrainer: CellRunner {
  /// The precision the network computes in (losses are always accumulated in double).
  public enum Precision: String, Sendable, CaseIterable {
    case single, double
  }

  public let job: JobSpec
  public let precision: Precision

  /// `precision` defaults to single: twice the BLAS rate, and the same
  /// measured exponents as double (docs/models.md).
  public init(job: JobSpec, precision: Precision = .single) {
    self.job = job
    self.precision = precision
  }

  /// Random streams of a cell. Like model 1, keys omit gamma, task and step
  /// budget (lazy and rich cells share initialisation and batches); the
  /// target, the data set and the batches also omit the width, so every width
  /// learns the same function from the same samples.
  enum Stream: UInt64 {
    case initialisation = 1
    case target = 2
    case dataSet = 3
    case batches = 4
  }

  static func stream(_ stream: Stream, cell: Cell) -> RandomStream {
    let model: UInt64 = 0x4D4C_5043  // "MLPC": model 2
    switch stream {
    case .initialisation:
      return RandomStream(key: [model, UInt64(cell.seed), UInt64(cell.width), stream.rawValue])
    case .target:
      return RandomStream(key: [model, UInt64(cell.seed), stream.rawValue])
    case .dataSet, .batches:
      return RandomStream(key: [
        model, UInt64(cell.seed), UInt64(cell.data.code), stream.rawValue,
      ])
    }
  }

  public func run(_ cell: Cell, budgets: [Int], supervisor: CellSupervisor) throws
    -> [CellOutcome]?
  {
    try checkBudgets(budgets, of: cell, schedule: job.training.schedule)
    switch precision {
    case .single:
      return try MLPCircleCellRun<Float>(job: job, cell: cell).train(
        budgets: budgets, supervisor: supervisor)
    case .double:
      return try MLPCircleCellRun<Double>(job: job, cell: cell).train(
        budgets: budgets, supervisor: supervisor)
    }
  }
}

/// One cell of model 2 being trained: network, target, test grid, data and
/// every buffer the step loop needs, allocated up front.
final class MLPCircleCellRun<T: MLPScalar> {
  let cell: Cell
  let spec: MLPCircleSpec
  let batch: Int
  let eta: Double
  let schedule: LearningRateSchedule
  let engine: MLPCircleEngine<T>
  let target: CircleTarget
  let recordPoints: Int
  /// Points per forward pass when evaluating the test grid or the data set.
  static var chunk: Int { 256 }

  /// Evaluation points with their target and initial output: the test grid and the data set.
  struct PointSet {
    var cosines: [Double]
    var sines: [Double]
    var targets: [Double]
    var initialOutputs: [Double]
    var count: Int { cosines.count }
  }

  let testGrid: PointSet
  let dataSet: PointSet?
  var rng: RandomStream

  // Batch buffers.
  private let batchCosines: UnsafeMutablePointer<Double>
  private let batchSines: UnsafeMutablePointer<Double>
  private let batchTargets: UnsafeMutablePointer<Double>
  private let batchInitial: UnsafeMutablePointer<Double>

  init(job: JobSpec, cell: Cell) throws {
    guard case .mlpCircle(let spec) = job.model else {
      throw TrainingError.numerical(cell: cell.index, message: "job model is not mlp-circle")
    }
    let task = job.tasks[cell.task]
    guard let q = task.fourierDecay else {
      throw TrainingError.numerical(
        cell: cell.index, message: "mlp-circle task has no Fourier decay q")
    }
    guard cell.gamma > 0 else {
      throw TrainingError.numerical(cell: cell.index, message: "mlp-circle needs gamma0 > 0")
    }
    self.cell = cell
    self.spec = spec
    batch = cell.batch
    recordPoints = job.training.recordPoints
    schedule = job.training.schedule
    let n = cell.width
    eta = cell.learningRate * cell.gamma * cell.gamma * Double(n)
    engine = MLPCircleEngine(
      width: n, depth: spec.depth, gamma0: cell.gamma, capacity: max(batch, Self.chunk),
      activationPower: spec.activation.power)
    engine.initialise(rng: MLPCircleTrainer.stream(.initialisation, cell: cell))
    target = CircleTarget(
      decay: q, modes: spec.modes, phases: task.phases,
      rng: MLPCircleTrainer.stream(.target, cell: cell))
    rng = MLPCircleTrainer.stream(.batches, cell: cell)

    batchCosines = .allocate(capacity: batch)
    batchSines = .allocate(capacity: batch)
    batchTargets = .allocate(capacity: batch)
    batchInitial = .allocate(capacity: batch)

    let grid = (0..<spec.testPoints).map { 2 * Double.pi * Double($0) / Double(spec.testPoints) }
    testGrid = Self.points(grid, target: target, engine: engine)
    if case .finite(let p) = cell.data {
      var dataRng = MLPCircleTrainer.stream(.dataSet, cell: cell)
      let angles = (0..<p).map { _ in 2 * Double.pi * dataRng.uniform() }
      dataSet = Self.points(angles, target: target, engine: engine)
    } else {
      dataSet = nil
    }
  }

  deinit {
    batchCosines.deallocate()
    batchSines.deallocate()
    batchTargets.deallocate()
    batchInitial.deallocate()
  }

  private static func points(
    _ angles: [Double], target: CircleTarget, engine: MLPCircleEngine<T>
  ) -> PointSet {
    var set = PointSet(
      cosines: angles.map { cos($0) }, sines: angles.map { sin($0) },
      targets: target.values(at: angles), initialOutputs: [])
    set.initialOutputs = [Double](repeating: 0, count: angles.count)
    forEachChunk(of: set, engine: engine, parameters: engine.initial.pointer) { start, m in
      for i in 0..<m { set.initialOutputs[start + i] = Double(engine.outputs.pointer[i]) }
    }
    return set
  }

  /// Runs the network with `parameters` over `set` in chunks; `body(start, count)`
  /// reads `engine.outputs` for each chunk.
  private static func forEachChunk(
    of set: PointSet, engine: MLPCircleEngine<T>, parameters: UnsafePointer<T>,
    _ body: (Int, Int) -> Void
  ) {
    var start = 0
    while start < set.count {
      let m = min(chunk, set.count - start)
      set.cosines.withUnsafeBufferPointer { c in
        set.sines.withUnsafeBufferPointer { s in
          engine.setInputs(cosines: c.baseAddress! + start, sines: s.baseAddress! + start, count: m)
        }
      }
      engine.forward(parameters, count: m)
      body(start, m)
      start += m
    }
  }

  /// Mean squared error of the centred output `f - f_init` on `set`.
  func meanSquaredError(on set: PointSet) -> Double {
    var total = 0.0
    Self.forEachChunk(of: set, engine: engine, parameters: engine.parameters.pointer) { start, m in
      set.targets.withUnsafeBufferPointer { y in
        set.initialOutputs.withUnsafeBufferPointer { f0 in
          let f = engine.outputs.pointer
          for i in 0..<m {
            let r = Double(f[i]) - f0[start &+ i] - y[start &+ i]
            total += r * r
          }
        }
      }
    }
    return total / Double(set.count)
  }

  /// One SGD step on a fresh batch (online) or on `B` samples of the data set;
  /// returns the batch's mean squared error before the step.
  func step(factor: Double = 1) -> Double {
    let b = batch
    if let data = dataSet {
      data.cosines.withUnsafeBufferPointer { c in
        data.sines.withUnsafeBufferPointer { s in
          data.targets.withUnsafeBufferPointer { y in
            data.initialOutputs.withUnsafeBufferPointer { f0 in
              for i in 0..<b {
                let j = rng.index(below: data.count)
                batchCosines[i] = c[j]
                batchSines[i] = s[j]
                batchTargets[i] = y[j]
                batchInitial[i] = f0[j]
              }
            }
          }
        }
      }
      engine.setInputs(cosines: batchCosines, sines: batchSines, count: b)
    } else {
      for i in 0..<b {
        let theta = 2 * Double.pi * rng.uniform()
        batchCosines[i] = cos(theta)
        batchSines[i] = sin(theta)
      }
      target.evaluate(
        cosines: batchCosines, sines: batchSines, count: b, into: batchTargets)
      engine.setInputs(cosines: batchCosines, sines: batchSines, count: b)
      engine.forward(engine.initial.pointer, count: b)
      for i in 0..<b { batchInitial[i] = Double(engine.outputs.pointer[i]) }
    }
    engine.forward(engine.parameters.pointer, count: b)
    var squares = 0.0
    let f = engine.outputs.pointer
    let r = engine.residuals.pointer
    let inverseBatch = 1 / Double(b)
    for i in 0..<b {
      let residual = Double(f[i]) - batchInitial[i] - batchTargets[i]
      squares += residual * residual
      r[i] = T(residual * inverseBatch)
    }
    engine.backward(count: b, scale: T(-eta * factor), into: engine.parameters.pointer)
    return squares * inverseBatch
  }

  func train(budgets: [Int], supervisor: CellSupervisor) throws -> [CellOutcome]? {
    var recorder = CurveRecorder(budgets: budgets, points: recordPoints, limit: 1e8)
    var step = 0
    while recorder.running {
      step += 1
      let loss = self.step(factor: schedule.factor(step: step, budget: cell.stepsBudget))
      recorder.step(step, batchLoss: loss) {
        (meanSquaredError(on: testGrid), dataSet.map { meanSquaredError(on: $0) })
      }
      if supervisor.directive(afterStep: step) == .stop { return nil }
    }
    return recorder.outcomes(lossFloor: .nan)
  }
}
