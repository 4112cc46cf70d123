import Foundation

extension ResultsFile {
  /// The per-cell column `/cells/<name>` as numbers, or nil when the file
  /// has no such dataset (older files, or an axis the job does not vary).
  /// - Throws: `ResultsError.corrupt` when it exists with the wrong length.
  public static func optionalCellColumn(path: String, name: String, count: Int) throws(ResultsError)
    -> [Double]?
  {
    do {
      let file = try HDF5Object.openFile(path, writable: false)
      let cells = try file.openGroup("cells")
      guard cells.exists(name) else { return nil }
      let values = try cells.openDataset(name).read(Double.self)
      guard values.count == count else {
        throw ResultsError.corrupt(
          path: path, detail: "/cells/\(name) has \(values.count) entries, expected \(count)")
      }
      return values
    } catch let error as ResultsError {
      throw error
    } catch {
      throw .corrupt(path: path, detail: "/cells/\(name): \(error)")
    }
  }
}
