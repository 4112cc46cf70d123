import Foundation

/// Whether an MPI launcher started this process, and its rank, read from the
/// environment before MPI is initialised. The one place that decides it:
/// Open MPI's mpirun (`OMPI_COMM_WORLD_RANK`), PMIx launchers such as
/// `srun --mpi=pmix` (`PMIX_RANK`), PMI-1/2 launchers (`PMI_RANK`) and any
/// Slurm step (`SLURM_PROCID`).
public enum Launcher {
  public static let rankVariables = [
    "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID",
  ]

  /// The rank the launcher announced, or nil when started directly.
  public static func rank(environment: [String: String] = ProcessInfo.processInfo.environment)
    -> Int?
  {
    for key in rankVariables {
      if let value = environment[key], let rank = Int(value) { return rank }
    }
    return nil
  }

  /// True under mpirun, srun or another PMI launcher.
  public static var isPresent: Bool { rank() != nil }
}
