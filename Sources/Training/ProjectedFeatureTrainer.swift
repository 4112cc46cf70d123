import COpenBLAS
import SweepSpec

#if canImport(Glibc)
  import Glibc
#endif

/// Model 1 of science.md, the solvable projected-feature model, trained in its
/// exact reduced form whose step cost does not depend on the feature count `M`.
///
/// Features `psi = Lambda^(1/2) z` with `lambda_k = k^-alpha`; target
/// `y = w* . psi` with `w*_k = k^-((alpha beta + 1 - alpha)/2)`; network
/// `f = N^-1/2 w . (Bmat A0 psi)`. A batch needs only `x = A0 psi` (N values)
/// and `y`, jointly Gaussian with covariance `[[C, c], [c^T, L0]]`,
/// `C = A0 Lambda A0^T`, `c = A0 Lambda w*`, `L0 = w*^T Lambda w*`; it is drawn
/// as `L z` with `L` the Cholesky factor. With `u = Bmat^T w` one SGD step is
///   `r = y - N^-1/2 X u`, `a = X^T r / B`,
///   `w <- w + eta N^-1/2 Bmat a`, `Bmat <- Bmat + eta gamma N^-1/2 w a^T`
/// (simultaneous), and the population loss is exact:
///   `L = L0 - 2 N^-1/2 c . u + N^-1 u^T C u`.
/// The width bottleneck `L0 - c^T C^-1 c` is the factor's last pivot squared.
public struct ProjectedFeatureTrainer: CellRunner {
  public let job: JobSpec

  public init(job: JobSpec) { self.job = job }

  /// Random streams of a cell. Keys omit gamma, task and step budget on
  /// purpose: lazy and rich cells, and every budget, of the same width, data
  /// size and seed share their draws (common random numbers), so differences
  /// between them are the dynamics, not the luck of the draw.
  enum Stream: UInt64 {
    case projection = 1
    case dataSet = 2
    case batches = 3
  }

  static func stream(_ stream: Stream, cell: Cell) -> RandomStream {
    RandomStream(key: [
      0x5052_4F4A,  // "PROJ": model 1
      UInt64(cell.seed), UInt64(cell.width), UInt64(cell.data.code), stream.rawValue,
    ])
  }

  public func run(_ cell: Cell, budgets: [Int], supervisor: CellSupervisor) throws
    -> [CellOutcome]?
  {
    try checkBudgets(budgets, of: cell, schedule: job.training.schedule)
    guard case .projectedFeatures(let m) = job.model else {
      throw TrainingError.numerical(
        cell: cell.index, message: "job model is not projected-features")
    }
    let task = job.tasks[cell.task]
    let n = cell.width
    let n1 = n + 1
    let batch = cell.batch
    let schedule = job.training.schedule
    let gamma = cell.gamma
    let s = 1 / Double(n).squareRoot()

    // Covariance of (x, y): lower triangle, row-major, leading dimension n + 1.
    let covariance = DoubleBuffer(count: n1 * n1)
    let l0 = Self.buildCovariance(
      into: covariance, n: n, m: m, task: task,
      rng: Self.stream(.projection, cell: cell))
    let factor = DoubleBuffer(count: n1 * n1)
    factor.pointer.update(from: covariance.pointer, count: n1 * n1)
    try Self.cholesky(factor, order: n1, cell: cell.index)
    let floor = factor[n * n1 + n] * factor[n * n1 + n]

    // Finite data: P samples drawn once; batches pick rows uniformly.
    var dataSet: DoubleBuffer?
    var dataCount = 0
    if case .finite(let p) = cell.data {
      dataCount = p
      let d = DoubleBuffer(count: p * n1)
      var rng = Self.stream(.dataSet, cell: cell)
      rng.fillNormals(d.buffer)
      cblas_dtrmm(
        CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit,
        Int32(p), Int32(n1), 1, factor.pointer, Int32(n1), d.pointer, Int32(n1))
      dataSet = d
    }

    let x = DoubleBuffer(count: batch * n1)  // batch rows (x, y)
    let r = DoubleBuffer(count: max(batch, dataCount))  // residuals
    let w = DoubleBuffer(count: n)
    let a = DoubleBuffer(count: n)
    let scratch = DoubleBuffer(count: n)
    let rich = gamma > 0
    let bmat = DoubleBuffer(count: rich ? n * n : 0)
    let u = rich ? DoubleBuffer(count: n) : w  // lazy: Bmat = I so u = w
    if rich { for i in 0..<n { bmat[i * n + i] = 1 } }
    var rng = Self.stream(.batches, cell: cell)

    var recorder = CurveRecorder(
      budgets: budgets, points: job.training.recordPoints, limit: 1e8 * max(l0, 1e-300))
    var step = 0
    while recorder.running {
      step += 1
      let eta = cell.learningRate * schedule.factor(step: step, budget: cell.stepsBudget)
      // Draw the batch.
      if let d = dataSet {
        for b in 0..<batch {
          let row = rng.index(below: dataCount)
          (x.pointer + b * n1).update(from: d.pointer + row * n1, count: n1)
        }
      } else {
        rng.fillNormals(x.buffer)
        cblas_dtrmm(
          CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit,
          Int32(batch), Int32(n1), 1, factor.pointer, Int32(n1), x.pointer, Int32(n1))
      }
      let loss = Self.residuals(into: r, rows: x.pointer, count: batch, n: n, u: u, s: s)
      // a = X^T r / B.
      cblas_dgemv(
        CblasRowMajor, CblasTrans, Int32(batch), Int32(n), 1 / Double(batch), x.pointer,
        Int32(n1), r.pointer, 1, 0, a.pointer, 1)
      if rich {
        // scratch = Bmat a with the old Bmat; Bmat += eta gamma s w a^T with the old w.
        cblas_dgemv(
          CblasRowMajor, CblasNoTrans, Int32(n), Int32(n), 1, bmat.pointer, Int32(n),
          a.pointer, 1, 0, scratch.pointer, 1)
        cblas_dger(
          CblasRowMajor, Int32(n), Int32(n), eta * gamma * s, w.pointer, 1, a.pointer, 1,
          bmat.pointer, Int32(n))
        cblas_daxpy(Int32(n), eta * s, scratch.pointer, 1, w.pointer, 1)
        cblas_dgemv(
          CblasRowMajor, CblasTrans, Int32(n), Int32(n), 1, bmat.pointer, Int32(n),
          w.pointer, 1, 0, u.pointer, 1)
      } else {
        cblas_daxpy(Int32(n), eta * s, a.pointer, 1, w.pointer, 1)
      }

      recorder.step(step, batchLoss: loss) {
        let test = Self.populationLoss(
          covariance: covariance, n: n, l0: l0, u: u, scratch: scratch, s: s)
        let train = dataSet.map { d in
          Self.residuals(into: r, rows: d.pointer, count: dataCount, n: n, u: u, s: s)
        }
        return (test, train)
      }
      if supervisor.directive(afterStep: step) == .stop { return nil }
    }
    return recorder.outcomes(lossFloor: floor)
  }

  /// Residuals `r = y - N^-1/2 X u` of `count` rows `(x, y)` (leading
  /// dimension `n + 1`) into `r`; returns their mean square, the loss on those rows.
  static func residuals(
    into r: DoubleBuffer, rows: UnsafeMutablePointer<Double>, count: Int, n: Int,
    u: DoubleBuffer, s: Double
  ) -> Double {
    let n1 = n + 1
    cblas_dgemv(
      CblasRowMajor, CblasNoTrans, Int32(count), Int32(n), -s, rows, Int32(n1), u.pointer, 1, 0,
      r.pointer, 1)
    var total = 0.0
    for i in 0..<count {
      let ri = r[i] + rows[i * n1 + n]
      r[i] = ri
      total += ri * ri
    }
    return total / Double(count)
  }

  /// Fills the lower triangle of `[[C, c], [c^T, L0]]` and returns `L0`.
  static func buildCovariance(
    into cov: DoubleBuffer, n: Int, m: Int, task: TaskSpec, rng: RandomStream
  ) -> Double {
    var rng = rng
    let n1 = n + 1
    // G = A0 Lambda^(1/2), drawn row by row; C = G G^T, c = G (Lambda^(1/2) w*).
    let g = DoubleBuffer(count: n * m)
    rng.fillNormals(g.buffer)
    let sqrtLambda = DoubleBuffer(count: m)
    let weighted = DoubleBuffer(count: m)  // Lambda^(1/2) w*
    var l0 = 0.0
    let sourcePower = (task.alpha * task.beta + 1 - task.alpha) / 2
    for k in 0..<m {
      let kk = Double(k + 1)
      let lambda = pow(kk, -task.alpha)
      let wStar = pow(kk, -sourcePower)
      sqrtLambda[k] = lambda.squareRoot()
      weighted[k] = sqrtLambda[k] * wStar
      l0 += lambda * wStar * wStar
    }
    for i in 0..<n {
      let row = g.pointer + i * m
      for k in 0..<m { row[k] *= sqrtLambda[k] }
    }
    cblas_dsyrk(
      CblasRowMajor, CblasLower, CblasNoTrans, Int32(n), Int32(m), 1, g.pointer, Int32(m), 0,
      cov.pointer, Int32(n1))
    cblas_dgemv(
      CblasRowMajor, CblasNoTrans, Int32(n), Int32(m), 1, g.pointer, Int32(m), weighted.pointer,
      1, 0, cov.pointer + n * n1, 1)
    cov[n * n1 + n] = l0
    return l0
  }

  /// In-place Cholesky factorisation `A = L L^T` of a row-major lower triangle
  /// (LAPACK `dpotrf` on the column-major upper triangle, the same memory).
  static func cholesky(_ a: DoubleBuffer, order: Int, cell: Int) throws {
    var uplo = Int8(UInt8(ascii: "U"))
    var n = Int32(order)
    var lda = Int32(order)
    var info: Int32 = 0
    dpotrf_(&uplo, &n, a.pointer, &lda, &info)
    if info != 0 {
      throw TrainingError.numerical(
        cell: cell,
        message:
          "covariance of the projected features is not positive definite (pivot \(info)); use more features than the width"
      )
    }
  }

  /// `L = L0 - 2 s c.u + s^2 u^T C u` with `s = N^-1/2`.
  static func populationLoss(
    covariance: DoubleBuffer, n: Int, l0: Double, u: DoubleBuffer, scratch: DoubleBuffer,
    s: Double
  ) -> Double {
    let n1 = n + 1
    cblas_dsymv(
      CblasRowMajor, CblasLower, Int32(n), 1, covariance.pointer, Int32(n1), u.pointer, 1, 0,
      scratch.pointer, 1)
    let quadratic = cblas_ddot(Int32(n), u.pointer, 1, scratch.pointer, 1)
    let linear = cblas_ddot(Int32(n), covariance.pointer + n * n1, 1, u.pointer, 1)
    return l0 - 2 * s * linear + s * s * quadratic
  }
}
