// swift-tools-version:6.0
// ScaleSweep: neural scaling-law sweeps on HPC clusters.
// Data flows job file -> SweepSpec -> Distributed (scheduler over MPI ranks)
// -> Training (one cell) -> ResultStore (HDF5) -> Frontier (fits, plots).
import PackageDescription

let package = Package(
  name: "ScaleSweep",
  products: [
    .executable(name: "scalesweep", targets: ["scalesweep"])
  ],
  targets: [
    // System libraries, found through pkg-config (Debian packages).
    .systemLibrary(
      name: "COpenMPI", pkgConfig: "ompi",
      providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
    .systemLibrary(
      name: "CHDF5", pkgConfig: "hdf5-serial",
      providers: [.apt(["libhdf5-dev"])]),
    .systemLibrary(
      name: "COpenBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]),

    // Thin C shims: macros and handles made callable from Swift.
    .target(name: "CMPIShim", dependencies: ["COpenMPI"]),
    // CPUID: vector features and brand string, for the BLAS kernel choice.
    .target(name: "CCPUShim"),
    .target(
      name: "CHDF5Shim", dependencies: ["CHDF5"],
      linkerSettings: [.linkedLibrary("hdf5_hl")]),

    // Job file -> validated spec -> cells, cost model, and the seam every cell
    // runner and the results file implement (CellRunner, CellRecorder). Pure Swift.
    .target(name: "SweepSpec"),
    // Cell runners: the built-in models (BLAS-backed), RNG, and the command
    // runner that runs the user's own training program per cell.
    .target(name: "Training", dependencies: ["SweepSpec", "COpenBLAS", "CCPUShim"]),
    // The sweep loop (plan -> hand out -> run a cell -> record), MPI
    // communicator, work scheduler, progress reporting.
    .target(name: "Distributed", dependencies: ["SweepSpec", "CMPIShim"]),
    // HDF5 results layout, incremental writes, reading back.
    .target(name: "ResultStore", dependencies: ["SweepSpec", "CHDF5Shim"]),
    // Power-law fits, compute-optimal frontier, theory, plots. Pure Swift.
    .target(name: "Frontier"),
    // The command-line tool.
    .executableTarget(
      name: "scalesweep",
      dependencies: ["SweepSpec", "Training", "Distributed", "ResultStore", "Frontier"]),

    .testTarget(name: "SweepSpecTests", dependencies: ["SweepSpec"]),
    .testTarget(name: "TrainingTests", dependencies: ["Training", "SweepSpec"]),
    .testTarget(name: "ResultStoreTests", dependencies: ["ResultStore", "SweepSpec"]),
    .testTarget(name: "FrontierTests", dependencies: ["Frontier"], exclude: ["Fixtures"]),
    .testTarget(
      name: "DistributedTests", dependencies: ["Distributed", "SweepSpec"],
      resources: [.copy("Fixtures")]),
    .testTarget(name: "IntegrationTests", dependencies: ["SweepSpec", "ResultStore", "Distributed"]),
  ]
)
