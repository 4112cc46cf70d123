import Foundation

extension ResultsFile {
  /// Stores a frontier analysis in the results file as the group `/frontier`
  /// (replacing an earlier one): attribute `report` holds the JSON report,
  /// `compute_measure` and `created` say how and when, and each CSV table is
  /// kept as a string attribute named after it.
  public static func storeFrontier(
    path: String, reportJSON: String, computeMeasure: String, tables: [String: String]
  ) throws(ResultsError) {
    _ = try read(path: path)  // refuse foreign or damaged files before writing
    do {
      let file = try HDF5Object.openFile(path, writable: true)
      if file.exists("frontier") { try file.delete("frontier") }
      let group = try file.createGroup("frontier")
      try group.setAttribute("report", reportJSON)
      try group.setAttribute("compute_measure", computeMeasure)
      try group.setAttribute("created", ISO8601DateFormatter().string(from: Date()))
      for (name, text) in tables.sorted(by: { $0.key < $1.key }) {
        try group.setAttribute("table_\(name)", text)
      }
      try file.flush()
    } catch {
      throw .io(path: path, underlying: error)
    }
  }

  /// The JSON report stored by ``storeFrontier(path:reportJSON:computeMeasure:tables:)``, if any.
  public static func storedFrontier(path: String) throws(ResultsError) -> String? {
    _ = try read(path: path)
    do {
      let file = try HDF5Object.openFile(path, writable: false)
      guard file.exists("frontier") else { return nil }
      return try file.openGroup("frontier").stringAttribute("report")
    } catch {
      throw .io(path: path, underlying: error)
    }
  }
}
