import Foundation
import Frontier

/// Fixture files live next to the tests; located with #filePath, not Bundle.
enum Fixture {
  static var directory: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
  }
  static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
  static func text(_ name: String) throws -> String {
    try String(contentsOf: url(name), encoding: .utf8)
  }
  static func json(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: url(name))
    return try JSONSerialization.jsonObject(with: data) as! [String: Any]
  }

  /// The 240 Chinchilla runs of Epoch AI's replication (5 highest losses dropped).
  static func chinchillaRuns() throws -> ExternalRuns {
    try ExternalRuns.load(
      csv: text("chinchilla_svg_extracted_data.csv"), sizeColumn: "Model Size",
      computeColumn: "Training FLOP", lossColumn: "loss"
    ).droppingHighestLosses(5)
  }
}

/// The 4500-start Chinchilla fit, computed once and shared by the tests.
enum ChinchillaFit {
  static let options: ParametricFitOptions = {
    var options = ParametricFitOptions()
    options.threads = 2
    return options
  }()
  static let runs: ExternalRuns? = try? Fixture.chinchillaRuns()
  static let estimate: ExternalFitReport? = runs.flatMap {
    try? ExternalFrontier.pointEstimate($0, options: options)
  }
}
