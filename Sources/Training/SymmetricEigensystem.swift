import COpenBLAS

/// The eigendecomposition `K = V diag(lambda) V^T` of a symmetric `n x n`
/// matrix by LAPACK's divide-and-conquer `dsyevd` (OpenBLAS).
public struct SymmetricEigensystem: Sendable {
  public let size: Int
  /// Eigenvalues in ascending order.
  public let eigenvalues: [Double]
  /// Orthonormal eigenvectors, vector `i` at `i * size ..< (i + 1) * size`.
  public let eigenvectors: [Double]

  /// Returns nil if LAPACK reports a failure (it does not for finite symmetric input).
  public init?(symmetric matrix: [Double], size n: Int) {
    precondition(matrix.count == n * n && n >= 1)
    var a = matrix  // symmetric: row- and column-major agree
    var w = [Double](repeating: 0, count: n)
    var nn = Int32(n)
    var lda = Int32(n)
    var info: Int32 = 0
    var lwork: Int32 = -1
    var liwork: Int32 = -1
    var workSize = 0.0
    var iworkSize: Int32 = 0
    let jobz: CChar = 86  // "V"
    let uplo: CChar = 85  // "U"
    var j = jobz
    var u = uplo
    dsyevd_(&j, &u, &nn, &a, &lda, &w, &workSize, &lwork, &iworkSize, &liwork, &info)
    guard info == 0 else { return nil }
    lwork = Int32(workSize)
    liwork = iworkSize
    var work = [Double](repeating: 0, count: Int(lwork))
    var iwork = [Int32](repeating: 0, count: Int(liwork))
    dsyevd_(&j, &u, &nn, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info)
    guard info == 0 else { return nil }
    size = n
    eigenvalues = w
    eigenvectors = a
  }

  /// `V^T y`: the coordinates of `y` in the eigenbasis.
  public func project(_ y: [Double]) -> [Double] {
    precondition(y.count == size)
    var out = [Double](repeating: 0, count: size)
    // Row-major view of the stored vectors: row i is eigenvector i.
    cblas_dgemv(
      CblasRowMajor, CblasNoTrans, Int32(size), Int32(size), 1, eigenvectors, Int32(size), y, 1, 0,
      &out, 1)
    return out
  }
}
