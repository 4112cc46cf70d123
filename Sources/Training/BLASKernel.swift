import CCPUShim
import COpenBLAS
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The vector instructions this CPU has and the operating system has enabled
/// (CPUID, and XGETBV for the saved register state), and its brand string.
public struct CPUFeatures: Sendable, Equatable {
  public enum Vendor: String, Sendable { case intel, amd, other }

  public var vendor: Vendor
  public var avx: Bool
  /// AVX2 and FMA3 together (what OpenBLAS' Haswell and Zen kernels use).
  public var avx2FMA: Bool
  /// AVX-512 F, BW, DQ, VL and CD (what OpenBLAS' SkylakeX kernels use).
  public var avx512: Bool
  /// AVX512_BF16 on top of ``avx512`` (OpenBLAS' Cooperlake kernels).
  public var avx512BF16: Bool

  public init(
    vendor: Vendor, avx: Bool = false, avx2FMA: Bool = false, avx512: Bool = false,
    avx512BF16: Bool = false
  ) {
    self.vendor = vendor
    self.avx = avx
    self.avx2FMA = avx2FMA
    self.avx512 = avx512
    self.avx512BF16 = avx512BF16
  }

  /// This machine's features; a feature counts only if the OS saves its registers.
  public static var current: CPUFeatures {
    var raw = ss_cpu_features()
    ss_cpu_detect(&raw)
    let ymm = raw.os_ymm != 0
    let zmm = raw.os_zmm != 0 && ymm
    let avx512 =
      zmm && raw.avx512f != 0 && raw.avx512bw != 0 && raw.avx512dq != 0 && raw.avx512vl != 0
      && raw.avx512cd != 0
    return CPUFeatures(
      vendor: raw.is_intel != 0 ? .intel : raw.is_amd != 0 ? .amd : .other,
      avx: ymm && raw.avx != 0,
      avx2FMA: ymm && raw.avx2 != 0 && raw.fma != 0,
      avx512: avx512,
      avx512BF16: avx512 && raw.avx512bf16 != 0)
  }

  /// The CPU model as the processor names itself ("AMD EPYC 9B45"), or "unknown".
  public static var brand: String {
    var buffer = [CChar](repeating: 0, count: 64)
    let length = buffer.withUnsafeMutableBufferPointer { ss_cpu_brand($0.baseAddress, 64) }
    guard length > 0 else { return "unknown" }
    return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// The widest instruction set, as a reader would say it.
  var widestName: String {
    avx512BF16
      ? "AVX-512 with BF16" : avx512 ? "AVX-512" : avx2FMA ? "AVX2 and FMA" : avx ? "AVX" : "SSE"
  }
}

/// OpenBLAS x86-64 kernel tables, ranked by the widest vector unit their
/// level-3 kernels use. Within a tier the tables are equivalent for our use
/// (sgemm/dgemm/dtrmm); a higher tier is faster on a CPU that supports it.
public enum BLASKernel {
  public enum Tier: Int, Comparable, Sendable {
    case sse = 0, avx = 1, avx2 = 2, avx512 = 3
    public static func < (a: Tier, b: Tier) -> Bool { a.rawValue < b.rawValue }
  }

  /// The tier of an OpenBLAS core name (`openblas_get_corename()`), nil for a
  /// name this table does not know (a newer library: its choice is trusted).
  public static func tier(of core: String) -> Tier? {
    switch core.lowercased() {
    case "skylakex", "cooperlake", "sapphirerapids": return .avx512
    case "haswell", "zen", "excavator": return .avx2
    case "sandybridge", "bulldozer", "piledriver", "steamroller": return .avx
    case "prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "opteron",
      "opteron_sse3", "barcelona", "bobcat", "katmai", "coppermine", "northwood", "banias",
      "athlon", "nano":
      return .sse
    default: return nil
    }
  }

  /// OpenBLAS core names that fit `cpu`, best first; empty below AVX.
  ///
  /// AVX-512 F/BW/DQ/VL/CD -> SkylakeX (Cooperlake first when AVX512_BF16 is
  /// there); AVX2 + FMA -> Haswell (Zen first on AMD); AVX -> Sandybridge.
  public static func candidates(for cpu: CPUFeatures) -> [String] {
    if cpu.avx512 { return cpu.avx512BF16 ? ["Cooperlake", "SkylakeX"] : ["SkylakeX"] }
    if cpu.avx2FMA { return cpu.vendor == .amd ? ["Zen", "Haswell"] : ["Haswell"] }
    if cpu.avx { return ["Sandybridge"] }
    return []
  }
}

/// How this process came to run the BLAS kernel it runs.
public struct KernelChoice: Sendable, Equatable {
  public enum Reason: Sendable, Equatable {
    /// The library's own choice is as good as the CPU allows (or unknown to us).
    case libraryChoice
    /// `OPENBLAS_CORETYPE` was set by the user: always obeyed.
    case userSet
    /// ScaleSweep set `OPENBLAS_CORETYPE`: the library had chosen `libraryCore`.
    case upgraded(libraryCore: String)
    /// The library's choice is weaker, but no better table loads in this build.
    case noBetterTable(tried: [String])
  }

  /// The kernel table in use (`openblas_get_corename()`).
  public var core: String
  public var reason: Reason
  public var cpu: CPUFeatures

  /// The start-up line: what runs and why.
  public var description: String {
    let head = "BLAS: \(BLASLibrary.current.description), kernel \(core)"
    switch reason {
    case .libraryChoice:
      return "\(head) (the library's choice for this CPU, \(cpu.widestName))"
    case .userSet:
      return "\(head) (OPENBLAS_CORETYPE set by the user)"
    case .upgraded(let library):
      return
        "\(head) (the library chose \(library), which does not use this CPU's \(cpu.widestName); set OPENBLAS_CORETYPE to override)"
    case .noBetterTable(let tried):
      return
        "\(head) (the library's choice; this CPU has \(cpu.widestName) but \(tried.joined(separator: ", ")) did not load in this build)"
    }
  }
}

/// The BLAS library linked in: name and version from `openblas_get_config()`.
public struct BLASLibrary: Sendable, Equatable, CustomStringConvertible {
  public var name: String
  public var version: String
  public var description: String { "\(name) \(version)" }

  /// Parses "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
  public init(config: String) {
    let words = config.split(separator: " ").map(String.init)
    name = words.first ?? "unknown"
    version = words.count > 1 ? words[1] : "unknown"
  }

  public static var current: BLASLibrary {
    guard let config = openblas_get_config() else { return BLASLibrary(config: "") }
    return BLASLibrary(config: String(cString: config))
  }
}

/// Makes OpenBLAS use the best kernel table for this CPU, before any BLAS work.
///
/// OpenBLAS picks its kernel table in the library's load-time constructor,
/// which runs before `main`; `OPENBLAS_CORETYPE` is read only then. So when
/// the table it picked is of a lower tier than the CPU supports (and the user
/// has not set `OPENBLAS_CORETYPE`), this sets `OPENBLAS_CORETYPE` and replaces
/// the process image with itself (`execv("/proc/self/exe", argv)`): same pid,
/// same arguments, same environment plus the variable, before `MPI_Init`, so
/// mpirun, srun and PMIx see nothing but a process that started a few
/// milliseconds later. `SCALESWEEP_BLAS_LIBRARY_CORE` (the library's own
/// choice) marks the new image: it never re-executes again. Each candidate is
/// first tried in a child process (`scalesweep blas-probe`), so a table this
/// build lacks is never forced (OpenBLAS would fall back to Prescott).
public enum KernelSelection {
  /// Set in the re-executed image: the core the library chose by itself.
  public static let markerVariable = "SCALESWEEP_BLAS_LIBRARY_CORE"
  /// Testing hook: treat `OPENBLAS_CORETYPE` as if the library had chosen that
  /// kernel by itself (not the user), so that the upgrade can be tested on a
  /// CPU this OpenBLAS already recognises (`OPENBLAS_CORETYPE=Prescott`).
  public static let testHookVariable = "SCALESWEEP_TEST_CORETYPE_IS_LIBRARY"

  /// What to do, from the CPU, the library's choice and the environment.
  public enum Plan: Equatable, Sendable {
    case keep(KernelChoice.Reason)
    case tryCandidates([String])
  }

  /// Pure decision: the user's `OPENBLAS_CORETYPE` wins; a re-executed image
  /// (marker set) keeps what it has; a library choice of a lower tier than
  /// the CPU's best candidate is replaced; an unknown core name is trusted.
  public static func plan(cpu: CPUFeatures, libraryCore: String, environment: [String: String])
    -> Plan
  {
    if let forced = environment["OPENBLAS_CORETYPE"], !forced.isEmpty {
      if let original = environment[markerVariable], !original.isEmpty {
        return .keep(.upgraded(libraryCore: original))
      }
      if environment[testHookVariable] == nil { return .keep(.userSet) }
    }
    if environment[markerVariable] != nil { return .keep(.libraryChoice) }
    let candidates = BLASKernel.candidates(for: cpu)
    guard let best = candidates.first, let wanted = BLASKernel.tier(of: best),
      let current = BLASKernel.tier(of: libraryCore), current < wanted
    else { return .keep(.libraryChoice) }
    return .tryCandidates(candidates)
  }

  /// Decides, and re-executes this process with a better kernel when needed
  /// (in which case it does not return). `probe` says whether a core name
  /// loads as itself in a child process.
  public static func ensureBestKernel(probe: (String) -> Bool) -> KernelChoice {
    let cpu = CPUFeatures.current
    let libraryCore = BLAS.coreName
    let environment = ProcessInfo.processInfo.environment
    switch plan(cpu: cpu, libraryCore: libraryCore, environment: environment) {
    case .keep(let reason):
      return KernelChoice(core: libraryCore, reason: reason, cpu: cpu)
    case .tryCandidates(let candidates):
      for candidate in candidates where probe(candidate) {
        setenv("OPENBLAS_CORETYPE", candidate, 1)
        setenv(markerVariable, libraryCore, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returned: the image could not be replaced; go on as we are.
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(markerVariable)
        break
      }
      return KernelChoice(core: libraryCore, reason: .noBetterTable(tried: candidates), cpu: cpu)
    }
  }

  /// The path of the running executable (to start probes and bench children).
  public static var executablePath: String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink("/proc/self/exe", &buffer, 4095)
    guard length > 0 else { return CommandLine.arguments[0] }
    return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
