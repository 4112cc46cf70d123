import Foundation
import Training

/// The sgemm rate `bench` measures models against: the best this machine
/// does, not the rate of whatever kernel the library happened to load.
///
/// OpenBLAS picks its kernel table once per process, so each table this CPU
/// can run is timed in its own child process (`scalesweep blas-probe --sgemm`
/// with `OPENBLAS_CORETYPE` set); the kernel in use is timed in this process.
struct BenchYardstick {
  /// sgemm 1024^3 GFLOP/s of each kernel table, as each child reported it.
  var kernels: [(core: String, gflops: Double)]
  var inUseCore: String
  var inUseGFLOPs: Double

  /// The fastest table (the kernel in use counts too).
  var best: (core: String, gflops: Double) {
    (kernels + [(inUseCore, inUseGFLOPs)]).max { $0.gflops < $1.gflops }!
  }

  /// One table per tier the CPU supports, best first: its candidates, then
  /// Haswell, Sandybridge and Prescott as far as the CPU has them.
  static func offeredCores(for cpu: CPUFeatures) -> [String] {
    var cores = BLASKernel.candidates(for: cpu)
    if cpu.avx2FMA && !cores.contains("Haswell") { cores.append("Haswell") }
    if cpu.avx && !cores.contains("Sandybridge") { cores.append("Sandybridge") }
    cores.append("Prescott")
    return cores
  }

  static func measure() -> BenchYardstick {
    var kernels: [(core: String, gflops: Double)] = []
    for core in offeredCores(for: CPUFeatures.current) {
      // A table missing from this build loads as another: such rows are dropped.
      guard let report = BLASProbeCommand.child(core: core, sgemm: true),
        report.core.lowercased() == core.lowercased(), let gflops = report.sgemmGFLOPs
      else { continue }
      kernels.append((report.core, gflops))
    }
    return BenchYardstick(
      kernels: kernels, inUseCore: BLAS.coreName, inUseGFLOPs: GEMMBenchmark.sgemmGFLOPs())
  }

  var lines: [String] {
    [
      "sgemm 1024^3, one core, each kernel in a child process: "
        + kernels.map { String(format: "%@ %.1f", $0.core, $0.gflops) }.joined(separator: ", ")
        + " GFLOP/s",
      String(
        format:
          "yardstick: best sgemm %.1f GFLOP/s (%@); in use here %@ %.1f GFLOP/s (%.0f%% of best)",
        best.gflops, best.core, inUseCore, inUseGFLOPs, 100 * inUseGFLOPs / best.gflops),
    ]
  }

  var json: [String: Any] {
    [
      "best_kernel": best.core, "best_gflops": best.gflops, "in_use_kernel": inUseCore,
      "in_use_gflops": inUseGFLOPs,
      "kernels": kernels.map { ["kernel": $0.core, "gflops": $0.gflops] as [String: Any] },
    ]
  }
}
