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

/// A zero-filled buffer of doubles owned by one trainer, freed with it.
final class DoubleBuffer {
  let pointer: UnsafeMutablePointer<Double>
  let count: Int

  init(count: Int) {
    self.count = count
    pointer = UnsafeMutablePointer<Double>.allocate(capacity: max(count, 1))
    pointer.initialize(repeating: 0, count: max(count, 1))
  }

  deinit { pointer.deallocate() }

  var buffer: UnsafeMutableBufferPointer<Double> {
    UnsafeMutableBufferPointer(start: pointer, count: count)
  }

  subscript(i: Int) -> Double {
    get { pointer[i] }
    set { pointer[i] = newValue }
  }
}
