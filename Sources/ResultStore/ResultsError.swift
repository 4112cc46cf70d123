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
  /// Another process (a live run, or `frontier --write`) holds the file's lock.
  case inUse(path: String, holder: String)
  /// The lock could not be taken at all (no lock support, no permission).
  case lockFailed(path: String, reason: String)
  /// `--out` names something that must not be replaced (a device, a
  /// directory, a link, the job file itself).
  case notReplaceable(path: String, reason: String)
  /// A run finished some cells' data that no longer match their checksums.
  case damagedCells(path: String, cells: [Int])

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
    case .inUse(let path, let holder):
      return
        "\(path): in use: a run is in progress (\(holder)); wait for it to end, stop it, or use another file"
    case .lockFailed(let path, let reason):
      return "\(path): cannot take the results file lock (\(reason))"
    case .notReplaceable(let path, let reason):
      return "\(path): refusing to write it: \(reason)"
    case .damagedCells(let path, let cells):
      let list = cells.prefix(10).map(String.init).joined(separator: ", ")
      return
        "\(path): \(cells.count) cell(s) do not match their stored checksum (\(list)\(cells.count > 10 ? ", ..." : ""))"
    }
  }
}
