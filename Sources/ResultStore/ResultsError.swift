/// Why a results file could not be created, resumed or read.
public enum ResultsError: Error, Equatable, CustomStringConvertible {
  /// The output exists and neither `--resume` nor `--force` was given.
  case outputExists(path: String)
  case missing(path: String)
  /// Not an HDF5 file, or an HDF5 file of another tool.
  case notResults(path: String, reason: String)
  /// A ScaleSweep file whose contents are damaged or inconsistent.
  case corrupt(path: String, detail: String)
  /// `--resume` with a job that differs from the stored one.
  case jobMismatch(path: String, detail: String)
  case io(path: String, underlying: HDF5Error)
  /// `--resume` of a file whose cells were drawn with another random stream.
  case streamMismatch(path: String, fileVersion: Int, fileStream: String, currentStream: String)

  public var description: String {
    switch self {
    case .outputExists(let path):
      return "\(path): output file exists; pass --resume to continue it or --force to overwrite it"
    case .missing(let path):
      return "\(path): no such results file"
    case .notResults(let path, let reason):
      return "\(path): not a ScaleSweep results file (\(reason))"
    case .corrupt(let path, let detail):
      return "\(path): damaged results file: \(detail)"
    case .jobMismatch(let path, let detail):
      return "\(path): was written by a different job (\(detail)); use another --out or --force"
    case .io(let path, let underlying):
      return "\(path): \(underlying)"
    case .streamMismatch(let path, let version, let fileStream, let currentStream):
      return
        "\(path): cannot resume: written in format \(version) with \(fileStream), this ScaleSweep draws \(currentStream), so its cells would not continue bit for bit; use another --out or --force"
    }
  }
}
