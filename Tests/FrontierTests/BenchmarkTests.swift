import Foundation
import Frontier
import Testing

/// The timing benchmark; opt-in because it takes tens of seconds:
/// `FRONTIER_BENCHMARK=1 swift test -c release --filter BenchmarkTests`
/// (`FRONTIER_BENCHMARK_REPLICATES` overrides the 1000 refits, e.g. 4000;
/// `FRONTIER_BENCHMARK_THREADS` the 1 worker thread of the grid search).
@Suite struct BenchmarkTests {
  @Test(.enabled(if: ProcessInfo.processInfo.environment["FRONTIER_BENCHMARK"] != nil))
  func chinchillaFitAndBootstrapTimings() throws {
    let replicates =
      Int(ProcessInfo.processInfo.environment["FRONTIER_BENCHMARK_REPLICATES"] ?? "")
      ?? 1000
    let threads = Int(ProcessInfo.processInfo.environment["FRONTIER_BENCHMARK_THREADS"] ?? "") ?? 1
    let report = try FrontierBenchmark.run(
      chinchillaCSVPath: Fixture.url("chinchilla_svg_extracted_data.csv").path,
      replicates: replicates, threads: threads)
    print(report)
  }
}
