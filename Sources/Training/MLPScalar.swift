import COpenBLAS

/// The floating-point type a model-2 network computes in, with the BLAS
/// routines of that precision. `Float` is what cells train in (twice the
/// `sgemm` rate of `dgemm`, same measured exponents: docs/models.md);
/// `Double` serves gradient checks and the NTK spectrum.
protocol MLPScalar: BinaryFloatingPoint, Sendable {
  /// `C = alpha op(A) op(B) + beta C`, row-major.
  static func gemm(
    _ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE, _ m: Int, _ n: Int, _ k: Int,
    _ alpha: Self, _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int,
    _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
  /// `y = alpha op(A) x + beta y`, row-major `A` of `m` rows and `n` columns.
  static func gemv(
    _ trans: CBLAS_TRANSPOSE, _ m: Int, _ n: Int, _ alpha: Self, _ a: UnsafePointer<Self>,
    _ lda: Int, _ x: UnsafePointer<Self>, _ beta: Self, _ y: UnsafeMutablePointer<Self>)
}

extension Float: MLPScalar {
  @inline(__always)
  static func gemm(
    _ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE, _ m: Int, _ n: Int, _ k: Int,
    _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
    _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, transA, transB, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b,
      Int32(ldb), beta, c, Int32(ldc))
  }

  @inline(__always)
  static func gemv(
    _ trans: CBLAS_TRANSPOSE, _ m: Int, _ n: Int, _ alpha: Float, _ a: UnsafePointer<Float>,
    _ lda: Int, _ x: UnsafePointer<Float>, _ beta: Float, _ y: UnsafeMutablePointer<Float>
  ) {
    cblas_sgemv(CblasRowMajor, trans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
  }
}

extension Double: MLPScalar {
  @inline(__always)
  static func gemm(
    _ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE, _ m: Int, _ n: Int, _ k: Int,
    _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>,
    _ ldb: Int, _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int
  ) {
    cblas_dgemm(
      CblasRowMajor, transA, transB, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b,
      Int32(ldb), beta, c, Int32(ldc))
  }

  @inline(__always)
  static func gemv(
    _ trans: CBLAS_TRANSPOSE, _ m: Int, _ n: Int, _ alpha: Double, _ a: UnsafePointer<Double>,
    _ lda: Int, _ x: UnsafePointer<Double>, _ beta: Double, _ y: UnsafeMutablePointer<Double>
  ) {
    cblas_dgemv(CblasRowMajor, trans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
  }
}

/// Elementwise kernels of the step, written so that every element is
/// stored unconditionally: `v > 0 ? v : 0` compiled to a branch and a
/// conditional store per element (as slow as the `N = 64` products), while
/// these forms vectorise.
enum Elementwise {
  /// `p = max(p, 0)` as `(p + |p|) / 2`, exact for finite values.
  @inline(__always)
  static func relu<T: MLPScalar>(_ p: UnsafeMutablePointer<T>, _ count: Int) {
    let half: T = 0.5
    for i in 0..<count {
      let v = p[i]
      p[i] = (v + v.magnitude) * half
    }
  }

  /// `p = a > 0 ? p : 0` (the ReLU derivative applied to a delta).
  @inline(__always)
  static func mask<T: MLPScalar>(_ p: UnsafeMutablePointer<T>, by a: UnsafePointer<T>, _ count: Int)
  {
    for i in 0..<count {
      let active: T = a[i] > 0 ? 1 : 0
      p[i] = p[i] * active
    }
  }

  /// `p = p^e` for `p >= 0` (the `relu^e` activation after the ReLU).
  static func power<T: MLPScalar>(_ p: UnsafeMutablePointer<T>, _ count: Int, _ e: T) {
    let exponent = Double(e)
    for i in 0..<count { p[i] = T(pow(Double(p[i]), exponent)) }
  }

  /// `p *= e a^((e - 1) / e)`: the derivative `e max(0, h)^(e - 1)` of
  /// `relu^e` written with the post-activation `a = max(0, h)^e` (0 where
  /// `a = 0`, since `e > 1`).
  static func scaleByPowerDerivative<T: MLPScalar>(
    _ p: UnsafeMutablePointer<T>, by a: UnsafePointer<T>, _ count: Int, _ e: T
  ) {
    let exponent = Double(e)
    let inner = (exponent - 1) / exponent
    for i in 0..<count {
      p[i] = p[i] * T(exponent * pow(Double(a[i]), inner))
    }
  }

  /// `out[b, i] = a[b, i] > 0 ? r[b] w[i] : 0` for `m` rows of `n`.
  @inline(__always)
  static func maskedOuter<T: MLPScalar>(
    _ out: UnsafeMutablePointer<T>, activations a: UnsafePointer<T>, rows r: UnsafePointer<T>,
    columns w: UnsafePointer<T>, _ m: Int, _ n: Int
  ) {
    for b in 0..<m {
      let rb = r[b]
      let row = out + b &* n
      let act = a + b &* n
      for i in 0..<n {
        let active: T = act[i] > 0 ? 1 : 0
        row[i] = rb * w[i] * active
      }
    }
  }
}

/// Single-core matrix-multiply speed, the yardstick of `scalesweep bench`.
public enum GEMMBenchmark {
  /// GFLOP/s of `C = A B` for square `size` matrices in single precision,
  /// best of `repeats` timed runs after a warm-up.
  public static func sgemmGFLOPs(size: Int = 1024, repeats: Int = 5) -> Double {
    let a = ScalarBuffer<Float>(count: size * size)
    let b = ScalarBuffer<Float>(count: size * size)
    let c = ScalarBuffer<Float>(count: size * size)
    for i in 0..<(size * size) {
      a.pointer[i] = Float(i % 7) * 0.1
      b.pointer[i] = Float(i % 5) * 0.1
    }
    var best = Double.infinity
    for run in 0...repeats {
      let start = MonotonicClock.seconds()
      Float.gemm(
        CblasNoTrans, CblasNoTrans, size, size, size, 1, a.pointer, size, b.pointer, size, 0,
        c.pointer, size)
      let elapsed = MonotonicClock.seconds() - start
      if run > 0 { best = min(best, elapsed) }
    }
    return 2 * Double(size) * Double(size) * Double(size) / best / 1e9
  }
}

/// Wall-clock seconds from a monotonic clock.
public enum MonotonicClock {
  public static func seconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }
}

#if canImport(Glibc)
  import Glibc
#endif
