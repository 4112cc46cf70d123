import Testing
import Training

/// The start-up kernel decision (pure): which OpenBLAS table fits a CPU, and
/// when ScaleSweep replaces the library's choice.
@Suite struct BLASKernelTests {
  let avx512BF16 = CPUFeatures(
    vendor: .intel, avx: true, avx2FMA: true, avx512: true, avx512BF16: true)
  let zen3 = CPUFeatures(vendor: .amd, avx: true, avx2FMA: true)

  @Test func candidatesFollowTheWidestVectorUnit() {
    #expect(BLASKernel.candidates(for: avx512BF16) == ["Cooperlake", "SkylakeX"])
    var avx512 = avx512BF16
    avx512.avx512BF16 = false
    #expect(BLASKernel.candidates(for: avx512) == ["SkylakeX"])
    #expect(BLASKernel.candidates(for: zen3) == ["Zen", "Haswell"])
    #expect(
      BLASKernel.candidates(for: CPUFeatures(vendor: .intel, avx: true, avx2FMA: true))
        == ["Haswell"])
    #expect(BLASKernel.candidates(for: CPUFeatures(vendor: .intel, avx: true)) == ["Sandybridge"])
    #expect(BLASKernel.candidates(for: CPUFeatures(vendor: .other)).isEmpty)
  }

  @Test func tiersRankCoreNames() {
    #expect(BLASKernel.tier(of: "Prescott") == .sse)
    #expect(BLASKernel.tier(of: "Haswell") == .avx2)
    #expect(BLASKernel.tier(of: "zen") == .avx2)
    #expect(BLASKernel.tier(of: "SkylakeX") == .avx512)
    #expect(BLASKernel.tier(of: "Cooperlake") == .avx512)
    #expect(BLASKernel.tier(of: "SomeFutureLake") == nil)
    #expect(BLASKernel.Tier.sse < .avx512)
  }

  /// The library's weaker choice is replaced by the CPU's candidates; an
  /// equal tier, an unknown name or a CPU without AVX changes nothing.
  @Test func weakerLibraryChoiceIsReplaced() {
    #expect(
      KernelSelection.plan(cpu: avx512BF16, libraryCore: "Prescott", environment: [:])
        == .tryCandidates(["Cooperlake", "SkylakeX"]))
    #expect(
      KernelSelection.plan(cpu: avx512BF16, libraryCore: "Haswell", environment: [:])
        == .tryCandidates(["Cooperlake", "SkylakeX"]))
    #expect(
      KernelSelection.plan(cpu: avx512BF16, libraryCore: "SkylakeX", environment: [:])
        == .keep(.libraryChoice))
    #expect(
      KernelSelection.plan(cpu: zen3, libraryCore: "Haswell", environment: [:])
        == .keep(.libraryChoice))
    #expect(
      KernelSelection.plan(cpu: avx512BF16, libraryCore: "SomeFutureLake", environment: [:])
        == .keep(.libraryChoice))
    #expect(
      KernelSelection.plan(
        cpu: CPUFeatures(vendor: .other), libraryCore: "Prescott", environment: [:])
        == .keep(.libraryChoice))
  }

  /// The user's OPENBLAS_CORETYPE always wins; a re-executed image (marker
  /// set) never re-executes again, so there is no loop.
  @Test func userChoiceWinsAndReexecutionHappensOnce() {
    #expect(
      KernelSelection.plan(
        cpu: avx512BF16, libraryCore: "Prescott", environment: ["OPENBLAS_CORETYPE": "Prescott"])
        == .keep(.userSet))
    #expect(
      KernelSelection.plan(
        cpu: avx512BF16, libraryCore: "Cooperlake",
        environment: [
          "OPENBLAS_CORETYPE": "Cooperlake", KernelSelection.markerVariable: "Prescott",
        ]) == .keep(.upgraded(libraryCore: "Prescott")))
    #expect(
      KernelSelection.plan(
        cpu: avx512BF16, libraryCore: "Prescott",
        environment: [KernelSelection.markerVariable: "Prescott"]) == .keep(.libraryChoice))
    // The testing hook makes OPENBLAS_CORETYPE count as the library's choice.
    #expect(
      KernelSelection.plan(
        cpu: avx512BF16, libraryCore: "Prescott",
        environment: [
          "OPENBLAS_CORETYPE": "Prescott", KernelSelection.testHookVariable: "1",
        ]) == .tryCandidates(["Cooperlake", "SkylakeX"]))
  }

  @Test func libraryVersionIsReadFromItsConfiguration() {
    let library = BLASLibrary(
      config: "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64")
    #expect(library.name == "OpenBLAS")
    #expect(library.version == "0.3.21")
    #expect(BLASLibrary(config: "").version == "unknown")
  }
}
