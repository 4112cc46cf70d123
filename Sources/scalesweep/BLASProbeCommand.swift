import Foundation
import Training

#if canImport(Glibc)
  import Glibc
#endif

/// `scalesweep blas-probe [--sgemm]` (internal): prints the kernel table the
/// BLAS library loaded in this process and, with `--sgemm`, its single-core
/// sgemm rate. The kernel choice and `bench` run it as a child process with
/// `OPENBLAS_CORETYPE` set, since the library reads that variable only when
/// it loads.
enum BLASProbeCommand {
  static let help = """
    usage: scalesweep blas-probe [--sgemm]   (internal)

    Prints "core NAME" (the kernel table OpenBLAS loaded) and, with --sgemm,
    "sgemm GFLOPS" (1024^3, one core, best of 5). Used in child processes by
    the start-up kernel choice and by bench.
    """

  static func run(_ words: [String]) throws -> Int32 {
    let args = try Arguments(words, command: "blas-probe", flags: ["--sgemm"], options: [])
    BLAS.useSingleThread()
    Output.line("core \(BLAS.coreName)")
    if args.has("--sgemm") {
      Output.line(String(format: "sgemm %.3f", GEMMBenchmark.sgemmGFLOPs()))
    }
    return 0
  }

  /// What a child process reported.
  struct Report {
    var core: String
    var sgemmGFLOPs: Double?
  }

  /// Runs `blas-probe` in a child with `OPENBLAS_CORETYPE = core` (the
  /// library's own choice when nil); nil if the child failed.
  static func child(core: String?, sgemm: Bool) -> Report? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: KernelSelection.executablePath)
    process.arguments = ["blas-probe"] + (sgemm ? ["--sgemm"] : [])
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: KernelSelection.markerVariable)
    environment.removeValue(forKey: "OPENBLAS_CORETYPE")
    environment.removeValue(forKey: "OPENBLAS_VERBOSE")
    environment.removeValue(forKey: KernelSelection.testHookVariable)
    // Not an MPI rank: the child must not look like one to the launcher.
    for key in environment.keys
    where key.hasPrefix("OMPI_") || key.hasPrefix("PMIX_") || key.hasPrefix("PMI_") {
      environment.removeValue(forKey: key)
    }
    if let core { environment["OPENBLAS_CORETYPE"] = core }
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle(forWritingAtPath: "/dev/null")
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    var report = Report(core: "", sgemmGFLOPs: nil)
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
      let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
      guard parts.count == 2 else { continue }
      if parts[0] == "core" { report.core = parts[1] }
      if parts[0] == "sgemm" { report.sgemmGFLOPs = Double(parts[1]) }
    }
    return report.core.isEmpty ? nil : report
  }

  /// Whether `core` loads as itself (a build without that table falls back).
  static func loads(_ core: String) -> Bool {
    child(core: core, sgemm: false)?.core.lowercased() == core.lowercased()
  }
}

/// Decided once per process, first thing for every command that does BLAS
/// work: may replace the process image (``KernelSelection``), so `main` reads
/// it before anything else happens.
enum Startup {
  static let kernel: KernelChoice = KernelSelection.ensureBestKernel(
    probe: BLASProbeCommand.loads)
}
