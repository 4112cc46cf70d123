import COpenBLAS
import SweepSpec

#if canImport(Glibc)
  import Glibc
#endif

/// A model-2 network in double precision with a value-typed interface: the
/// gradient checks, the lazy-limit comparison and the NTK spectrum use it.
public final class MLPCircleNetwork {
  let engine: MLPCircleEngine<Double>

  /// Parameters iid N(0, 1) from `rng` (the same layout and draws as a cell's network).
  public init(
    width: Int, depth: Int, gamma0: Double, capacity: Int, rng: RandomStream,
    activationPower: Double = 1
  ) {
    engine = MLPCircleEngine(
      width: width, depth: depth, gamma0: gamma0, capacity: capacity,
      activationPower: activationPower)
    engine.initialise(rng: rng)
  }

  public var parameterCount: Int { engine.parameterCount }
  public var capacity: Int { engine.capacity }

  /// Named ranges of ``parameters``: `W0|b0`, `W1`, `b1`, ..., `w`.
  public var tensors: [(name: String, range: Range<Int>)] { engine.tensors }

  public var parameters: [Double] {
    get { Array(UnsafeBufferPointer(start: engine.parameters.pointer, count: parameterCount)) }
    set {
      precondition(newValue.count == parameterCount)
      newValue.withUnsafeBufferPointer {
        engine.parameters.pointer.update(from: $0.baseAddress!, count: parameterCount)
      }
    }
  }

  private func load(_ angles: [Double]) {
    precondition(!angles.isEmpty && angles.count <= capacity)
    let c = angles.map { cos($0) }
    let s = angles.map { sin($0) }
    engine.setInputs(cosines: c, sines: s, count: angles.count)
  }

  private func outputs(_ m: Int) -> [Double] {
    Array(UnsafeBufferPointer(start: engine.outputs.pointer, count: m))
  }

  /// The centred output `F = f - f_init` at each angle.
  public func centredOutputs(at angles: [Double]) -> [Double] {
    load(angles)
    engine.forward(engine.initial.pointer, count: angles.count)
    let initial = outputs(angles.count)
    engine.forward(engine.parameters.pointer, count: angles.count)
    return zip(outputs(angles.count), initial).map { $0 - $1 }
  }

  /// `(1 / 2B) sum_b (F_b - y_b)^2`, the loss SGD descends.
  public func loss(at angles: [Double], targets: [Double]) -> Double {
    let f = centredOutputs(at: angles)
    return zip(f, targets).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / (2 * Double(f.count))
  }

  /// Loads `dLoss/df` into the engine after a forward pass at the current parameters.
  private func prepareBackward(angles: [Double], targets: [Double]) {
    let f = centredOutputs(at: angles)  // ends with the trained network's forward pass
    for (b, (fb, yb)) in zip(f, targets).enumerated() {
      engine.residuals.pointer[b] = (fb - yb) / Double(angles.count)
    }
  }

  /// `dLoss/dtheta` by back-propagation.
  public func gradient(at angles: [Double], targets: [Double]) -> [Double] {
    prepareBackward(angles: angles, targets: targets)
    var g = [Double](repeating: 0, count: parameterCount)
    g.withUnsafeMutableBufferPointer {
      engine.backward(count: angles.count, scale: 1, into: $0.baseAddress!)
    }
    return g
  }

  /// One in-place SGD step `theta <- theta - eta dLoss/dtheta` (as cells train).
  public func step(at angles: [Double], targets: [Double], learningRate eta: Double) {
    prepareBackward(angles: angles, targets: targets)
    engine.backward(count: angles.count, scale: -eta, into: engine.parameters.pointer)
  }

  /// `grad_theta f(x)` at one angle (a row of the Jacobian).
  public func outputGradient(at angle: Double) -> [Double] {
    load([angle])
    engine.forward(engine.parameters.pointer, count: 1)
    engine.residuals.pointer[0] = 1
    var g = [Double](repeating: 0, count: parameterCount)
    g.withUnsafeMutableBufferPointer { engine.backward(count: 1, scale: 1, into: $0.baseAddress!) }
    return g
  }

  /// The empirical NTK `grad f(x_i) . grad f(x_j)` at the current parameters, row-major `m x m`.
  public func neuralTangentKernel(at angles: [Double]) -> [Double] {
    load(angles)
    let m = angles.count
    var out = [Double](repeating: 0, count: m * m)
    var gram = [Double](repeating: 0, count: m * m)
    out.withUnsafeMutableBufferPointer { o in
      gram.withUnsafeMutableBufferPointer { g in
        engine.neuralTangentKernel(count: m, into: o.baseAddress!, gram: g.baseAddress!)
      }
    }
    return out
  }
}

/// The spectrum of a model-2 network's initial NTK on the circle.
///
/// The infinite-width NTK is rotation invariant, `K(theta, theta') = K(theta - theta')`,
/// so its eigenfunctions are `cos(k theta)`, `sin(k theta)` and its eigenvalues
/// the Fourier coefficients of `K(Delta)`. For a finite network the rotation
/// average over `T` equally spaced angles gives them:
///
///     lambda_k = T^-2 sum_ij K_ij cos(k (theta_i - theta_j)),
///
/// evaluated as `T^-2 (c_k^T K c_k + s_k^T K s_k)` with two BLAS products.
public struct CircleKernelSpectrum: Sendable {
  /// `lambda_k` for `k = 0 ... T/2` (index `k`), averaged over the seeds.
  public var eigenvalues: [Double]
  public var width: Int
  public var depth: Int
  public var points: Int

  public init(
    width: Int, depth: Int, points: Int = 512, seeds: [Int] = [0, 1], activationPower: Double = 1
  ) {
    let t = points
    let kmax = t / 2
    var sum = [Double](repeating: 0, count: kmax + 1)
    let angles = (0..<t).map { 2 * Double.pi * Double($0) / Double(t) }
    var cosTable = [Double](repeating: 0, count: t * (kmax + 1))
    var sinTable = [Double](repeating: 0, count: t * (kmax + 1))
    for i in 0..<t {
      for k in 0...kmax {
        cosTable[i * (kmax + 1) + k] = cos(Double(k) * angles[i])
        sinTable[i * (kmax + 1) + k] = sin(Double(k) * angles[i])
      }
    }
    var product = [Double](repeating: 0, count: t * (kmax + 1))
    for seed in seeds {
      // gamma0 only scales the kernel: 1 / gamma0^2 on every term through the readout.
      let network = MLPCircleNetwork(
        width: width, depth: depth, gamma0: 1, capacity: t,
        rng: RandomStream(key: [0x4E54_4B53, UInt64(seed), UInt64(width), UInt64(depth)]),
        activationPower: activationPower)
      let kernel = network.neuralTangentKernel(at: angles)
      for table in [cosTable, sinTable] {
        cblas_dgemm(
          CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(t), Int32(kmax + 1), Int32(t), 1,
          kernel, Int32(t), table, Int32(kmax + 1), 0, &product, Int32(kmax + 1))
        for i in 0..<t {
          for k in 0...kmax {
            sum[k] += table[i * (kmax + 1) + k] * product[i * (kmax + 1) + k]
          }
        }
      }
    }
    let norm = 1 / (Double(t) * Double(t) * Double(seeds.count))
    eigenvalues = sum.map { $0 * norm }
    self.width = width
    self.depth = depth
    self.points = t
  }

  /// `alpha` from the least-squares slope of `log lambda_k` against `log k` over `modes`.
  public func capacityExponent(modes: ClosedRange<Int> = 4...64) -> Double {
    let ks = modes.filter { $0 < eigenvalues.count && eigenvalues[$0] > 0 }
    return -CircleKernelSpectrum.logLogSlope(
      ks.map { Double($0) }, ks.map { eigenvalues[$0] })
  }

  /// Least-squares slope of `log y` against `log x`.
  public static func logLogSlope(_ x: [Double], _ y: [Double]) -> Double {
    let lx = x.map { log($0) }
    let ly = y.map { log($0) }
    let mx = lx.reduce(0, +) / Double(lx.count)
    let my = ly.reduce(0, +) / Double(ly.count)
    var sxy = 0.0
    var sxx = 0.0
    for (a, b) in zip(lx, ly) {
      sxy += (a - mx) * (b - my)
      sxx += (a - mx) * (a - mx)
    }
    return sxy / sxx
  }
}

extension CircleTarget {
  /// The decay `q` fitted to the mode powers (`a_k^2 + b_k^2 ~ k^-2q`) over `modes`.
  public func fittedDecay(modes: ClosedRange<Int> = 1...64) -> Double {
    let powers = modePowers
    let ks = modes.filter { $0 <= powers.count }
    return -CircleKernelSpectrum.logLogSlope(ks.map { Double($0) }, ks.map { powers[$0 - 1] }) / 2
  }

  /// The target of `task` for seed `seed`, as a cell of `job` draws it.
  public static func of(job: JobSpec, task: Int, seed: Int) -> CircleTarget? {
    guard case .mlpCircle(let spec) = job.model, let q = job.tasks[task].fourierDecay else {
      return nil
    }
    let cell = Cell(
      index: 0, task: task, width: 1, data: .online, gamma: 1, learningRate: 1, batch: 1,
      seed: seed,
      stepsBudget: 1)
    return CircleTarget(
      decay: q, modes: spec.modes, phases: job.tasks[task].phases,
      rng: MLPCircleTrainer.stream(.target, cell: cell))
  }
}
