import COpenBLAS

/// Model 2 of science.md: a ReLU MLP on the circle in the mean-field / muP
/// parametrisation with richness `gamma0`,
///
///     x = (cos theta, sin theta),   h_1 = W_0 x + b_0,
///     h_{l+1} = W_l relu(h_l) / sqrt(N) + b_l    (l = 1 ... H, H = depth - 2),
///     f = w . relu(h_{H+1}) / (gamma0 N),
///
/// every weight and bias iid N(0, 1) at init. Training fits the centred
/// output `F = f - f_init` by SGD on `(1 / 2B) sum_b (F_b - y_b)^2` with
/// `eta = eta0 gamma0^2 N`, which moves features by `O(gamma0)`: small
/// `gamma0` is the lazy (NTK) limit, `gamma0 ~ 1` rich.
///
/// Parameters live in one contiguous vector, tensor after tensor:
/// `[W_0 | b_0]` (`N x 3`, the bias as a third input column fed by 1),
/// then for each hidden layer `W_l` (`N x N`) and `b_l` (`N`), then `w` (`N`).
/// Batches are rows; every product is one BLAS call, everything else is a
/// loop over raw pointers, and no memory is allocated after `init`.
final class MLPCircleEngine<T: MLPScalar> {
  let width: Int
  let depth: Int
  let capacity: Int
  var gamma0: T
  /// `p` of the activation `max(0, h)^p` (1: ReLU, the fast path).
  let activationPower: T

  let parameterCount: Int
  let parameters: ScalarBuffer<T>
  /// The frozen initial parameters that define `f_init`.
  let initial: ScalarBuffer<T>
  /// Inputs `(cos, sin, 1)`, `capacity x 3`.
  let inputs: ScalarBuffer<T>
  /// Post-ReLU activations of the `H + 1` hidden layers, `capacity x N` each.
  private let activations: [ScalarBuffer<T>]
  /// Ping-pong buffers for back-propagated deltas, `capacity x N`.
  private let deltaA: ScalarBuffer<T>
  private let deltaB: ScalarBuffer<T>
  /// Network outputs and output gradients, `capacity`.
  let outputs: ScalarBuffer<T>
  let residuals: ScalarBuffer<T>
  private let ones: ScalarBuffer<T>
  /// Readout scaled by `1 / (gamma0 N)`, `N`.
  private let scaledReadout: ScalarBuffer<T>

  var hiddenLayers: Int { depth - 2 }
  var hiddenScale: T { 1 / T(Double(width).squareRoot()) }
  var readoutScale: T { 1 / (gamma0 * T(width)) }

  init(width n: Int, depth: Int, gamma0: Double, capacity: Int, activationPower: Double = 1) {
    precondition(depth >= 3 && n >= 1 && capacity >= 1 && activationPower >= 1)
    self.activationPower = T(activationPower)
    width = n
    self.depth = depth
    self.capacity = capacity
    self.gamma0 = T(gamma0)
    parameterCount = 3 * n + (depth - 2) * (n * n + n) + n
    parameters = ScalarBuffer(count: parameterCount)
    initial = ScalarBuffer(count: parameterCount)
    inputs = ScalarBuffer(count: capacity * 3)
    activations = (0..<(depth - 1)).map { _ in ScalarBuffer(count: capacity * n) }
    deltaA = ScalarBuffer(count: capacity * n)
    deltaB = ScalarBuffer(count: capacity * n)
    outputs = ScalarBuffer(count: capacity)
    residuals = ScalarBuffer(count: capacity)
    ones = ScalarBuffer(count: capacity)
    for i in 0..<capacity { ones.pointer[i] = 1 }
    scaledReadout = ScalarBuffer(count: n)
  }

  // MARK: Layout

  /// Offset of `[W_0 | b_0]`.
  var inputLayerOffset: Int { 0 }
  /// Offset of hidden weight `W_l`, `l = 1 ... H`; its bias follows at `+ N^2`.
  func hiddenOffset(_ l: Int) -> Int { 3 * width + (l - 1) * (width * width + width) }
  var readoutOffset: Int { parameterCount - width }

  /// Named ranges of the parameter vector, for gradient checks and reports.
  var tensors: [(name: String, range: Range<Int>)] {
    var out: [(String, Range<Int>)] = [("W0|b0", 0..<(3 * width))]
    for l in 1...hiddenLayers {
      let o = hiddenOffset(l)
      out.append(("W\(l)", o..<(o + width * width)))
      out.append(("b\(l)", (o + width * width)..<(o + width * width + width)))
    }
    out.append(("w", readoutOffset..<parameterCount))
    return out
  }

  /// Draws every parameter iid N(0, 1) (in layout order) and freezes a copy as `f_init`.
  func initialise(rng: RandomStream) {
    var rng = rng
    let chunk = 4096
    let draws = UnsafeMutableBufferPointer<Double>.allocate(capacity: chunk)
    defer { draws.deallocate() }
    var i = 0
    while i < parameterCount {
      let m = min(chunk, parameterCount - i)
      rng.fillNormals(UnsafeMutableBufferPointer(rebasing: draws[0..<m]))
      for j in 0..<m { parameters.pointer[i + j] = T(draws[j]) }
      i += m
    }
    initial.pointer.update(from: parameters.pointer, count: parameterCount)
  }

  // MARK: Forward

  /// Writes `(cos theta, sin theta, 1)` rows for `count` angles.
  func setInputs(cosines: UnsafePointer<Double>, sines: UnsafePointer<Double>, count: Int) {
    let x = inputs.pointer
    for b in 0..<count {
      x[3 &* b] = T(cosines[b])
      x[3 &* b &+ 1] = T(sines[b])
      x[3 &* b &+ 2] = 1
    }
  }

  /// `f` of the network with parameter vector `theta` on the first `count`
  /// input rows, into `outputs`; keeps every layer's activations.
  func forward(_ theta: UnsafePointer<T>, count m: Int) {
    let n = width
    var a = activations[0].pointer
    T.gemm(CblasNoTrans, CblasTrans, m, n, 3, 1, inputs.pointer, 3, theta, 3, 0, a, n)
    relu(a, m &* n)
    for l in 1...hiddenLayers {
      let next = activations[l].pointer
      let weights = theta + hiddenOffset(l)
      let bias = weights + n &* n
      for b in 0..<m { (next + b &* n).update(from: bias, count: n) }
      T.gemm(CblasNoTrans, CblasTrans, m, n, n, hiddenScale, a, n, weights, n, 1, next, n)
      relu(next, m &* n)
      a = next
    }
    T.gemv(CblasNoTrans, m, n, readoutScale, a, n, theta + readoutOffset, 0, outputs.pointer)
  }

  /// The activation in place: `max(0, h)`, then `^p` when `p != 1`.
  @inline(__always)
  private func relu(_ p: UnsafeMutablePointer<T>, _ count: Int) {
    Elementwise.relu(p, count)
    if activationPower != 1 { Elementwise.power(p, count, activationPower) }
  }

  // MARK: Backward

  /// After ``forward(_:count:)`` with the current parameters and with
  /// `residuals` holding `dLoss/df_b`, adds `scale * dLoss/dtheta` to
  /// `target` (the parameters themselves for an SGD step with
  /// `scale = -eta`, or a zeroed gradient vector with `scale = 1`).
  /// Each layer's delta is propagated with the old weights before those
  /// weights are updated, so an in-place step is exact SGD.
  func backward(count m: Int, scale: T, into target: UnsafeMutablePointer<T>) {
    let n = width
    let theta = parameters.pointer
    let r = residuals.pointer
    // Delta at the last hidden layer: r_b w_i / (gamma0 N) where the unit is active.
    let last = activations[hiddenLayers].pointer
    let wScaled = scaledReadout.pointer
    let readout = theta + readoutOffset
    let rs = readoutScale
    for i in 0..<n { wScaled[i] = readout[i] * rs }
    var delta = deltaA.pointer
    var spare = deltaB.pointer
    Elementwise.maskedOuter(delta, activations: last, rows: r, columns: wScaled, m, n)
    if activationPower != 1 {
      Elementwise.scaleByPowerDerivative(delta, by: last, m &* n, activationPower)
    }
    // Readout: dL/dw = A_L^T r / (gamma0 N).
    T.gemv(CblasTrans, m, n, scale * rs, last, n, r, 1, target + readoutOffset)
    var l = hiddenLayers
    while l >= 1 {
      let below = activations[l - 1].pointer
      let weights = theta + hiddenOffset(l)
      // Delta one layer down, with the old W_l: (delta W_l / sqrt N) masked.
      T.gemm(CblasNoTrans, CblasNoTrans, m, n, n, hiddenScale, delta, n, weights, n, 0, spare, n)
      mask(spare, by: below, m &* n)
      // dL/dW_l = delta^T A_l / sqrt N, dL/db_l = column sums of delta.
      let targetWeights = target + hiddenOffset(l)
      T.gemm(
        CblasTrans, CblasNoTrans, n, n, m, scale * hiddenScale, delta, n, below, n, 1,
        targetWeights, n)
      T.gemv(CblasTrans, m, n, scale, delta, n, ones.pointer, 1, targetWeights + n &* n)
      swap(&delta, &spare)
      l -= 1
    }
    // [W_0 | b_0] gradient: delta_1^T (x, 1).
    T.gemm(CblasTrans, CblasNoTrans, n, 3, m, scale, delta, n, inputs.pointer, 3, 1, target, 3)
  }

  /// `p *= sigma'(h)` from the post-activation `a = sigma(h)`.
  @inline(__always)
  private func mask(_ p: UnsafeMutablePointer<T>, by a: UnsafePointer<T>, _ count: Int) {
    if activationPower == 1 {
      Elementwise.mask(p, by: a, count)
    } else {
      Elementwise.scaleByPowerDerivative(p, by: a, count, activationPower)
    }
  }

  // MARK: NTK

  /// The empirical NTK of `f` at the current parameters between the first
  /// `count` input rows, `K_ij = grad f(x_i) . grad f(x_j)`, assembled layer by
  /// layer from Gram matrices (no per-sample gradients):
  ///
  ///     K = A_L A_L^T / (gamma0 N)^2
  ///       + sum_l (D_{l+1} D_{l+1}^T) o (A_l A_l^T / N + 1)
  ///       + (D_1 D_1^T) o (X X^T)
  ///
  /// with `D_l` the deltas of `f` (residual 1) and `o` the elementwise product.
  /// `out` and `gram` hold `count^2` values.
  func neuralTangentKernel(
    count m: Int, into out: UnsafeMutablePointer<T>, gram: UnsafeMutablePointer<T>
  ) {
    let n = width
    let theta = parameters.pointer
    forward(theta, count: m)
    for b in 0..<m { residuals.pointer[b] = 1 }
    let last = activations[hiddenLayers].pointer
    let rs = readoutScale
    T.gemm(CblasNoTrans, CblasTrans, m, m, n, rs * rs, last, n, last, n, 0, out, m)
    let readout = theta + readoutOffset
    var delta = deltaA.pointer
    var spare = deltaB.pointer
    for b in 0..<m {
      for i in 0..<n {
        delta[b &* n &+ i] = last[b &* n &+ i] > 0 ? readout[i] * rs : 0
      }
    }
    if activationPower != 1 {
      Elementwise.scaleByPowerDerivative(delta, by: last, m &* n, activationPower)
    }
    var l = hiddenLayers
    while l >= 1 {
      let below = activations[l - 1].pointer
      accumulateGramProduct(
        delta: delta, features: below, featureColumns: n, featureScale: hiddenScale * hiddenScale,
        addOne: true, count: m, into: out, gram: gram)
      T.gemm(
        CblasNoTrans, CblasNoTrans, m, n, n, hiddenScale, delta, n, theta + hiddenOffset(l), n,
        0, spare, n)
      mask(spare, by: below, m &* n)
      swap(&delta, &spare)
      l -= 1
    }
    accumulateGramProduct(
      delta: delta, features: inputs.pointer, featureColumns: 3, featureScale: 1, addOne: false,
      count: m, into: out, gram: gram)
  }

  /// `out += (D D^T) o (s F F^T + [addOne])`.
  private func accumulateGramProduct(
    delta: UnsafePointer<T>, features: UnsafePointer<T>, featureColumns c: Int, featureScale: T,
    addOne: Bool, count m: Int, into out: UnsafeMutablePointer<T>, gram: UnsafeMutablePointer<T>
  ) {
    let n = width
    T.gemm(CblasNoTrans, CblasTrans, m, m, c, featureScale, features, c, features, c, 0, gram, m)
    if addOne { for i in 0..<(m &* m) { gram[i] += 1 } }
    // Setup-time only (theory, tests): a scratch Gram matrix is fine here.
    let dd = UnsafeMutablePointer<T>.allocate(capacity: m * m)
    defer { dd.deallocate() }
    T.gemm(CblasNoTrans, CblasTrans, m, m, n, 1, delta, n, delta, n, 0, dd, m)
    for i in 0..<(m &* m) { out[i] += dd[i] * gram[i] }
  }
}
