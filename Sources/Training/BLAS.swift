import COpenBLAS

/// Process-wide BLAS settings.
public enum BLAS {
  /// One BLAS thread per process: each MPI rank is one core's worth of work, and
  /// a cell's result must not depend on threading.
  public static func useSingleThread() {
    openblas_set_num_threads(1)
  }

  /// The CPU core type OpenBLAS chose its kernels for.
  public static var coreName: String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }
}

/// A zero-filled array of scalars owned by one trainer or network, freed with it.
final class ScalarBuffer<T: Numeric> {
  let pointer: UnsafeMutablePointer<T>
  let count: Int

  init(count: Int) {
    self.count = count
    pointer = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
    pointer.initialize(repeating: 0, count: max(count, 1))
  }

  deinit { pointer.deallocate() }

  var buffer: UnsafeMutableBufferPointer<T> {
    UnsafeMutableBufferPointer(start: pointer, count: count)
  }

  subscript(i: Int) -> T {
    get { pointer[i] }
    set { pointer[i] = newValue }
  }
}

/// The double-precision buffers of model 1.
typealias DoubleBuffer = ScalarBuffer<Double>
