import Distributed
import Foundation
import Frontier
import ResultStore
import SweepSpec

/// `scalesweep`: parse the subcommand, run it, map errors to exit statuses:
/// 0 success, 2 bad input or usage, 1 runtime failure.
let usage = """
  usage: scalesweep <command> [options]

  commands:
    run JOB --out FILE.h5     train every cell of a job (under mpirun for many ranks)
    plan JOB                  validate a job; estimate cells, compute, time, memory
    inspect FILE.h5           summarise a results file
    slurm JOB                 print an sbatch script sized from the job's plan
    frontier FILE.h5          power laws, compute-optimal frontier with intervals, theory
    export FILE.h5 --csv OUT  the results as one tidy CSV table (one row per cell and step)
    bench                     training-step speed of each model against sgemm
    theory JOB                predicted scaling exponents of a job's tasks

  scalesweep <command> --help shows a command's options; scalesweep --version the version.
  """

let commands: [String: (help: String, run: ([String]) throws -> Int32)] = [
  "run": (RunCommand.help, RunCommand.run),
  "plan": (PlanCommand.help, PlanCommand.run),
  "inspect": (InspectCommand.help, InspectCommand.run),
  "slurm": (SlurmCommand.help, SlurmCommand.run),
  "frontier": (FrontierCommand.help, FrontierCommand.run),
  "export": (ExportCommand.help, ExportCommand.run),
  "bench": (BenchCommand.help, BenchCommand.run),
  "theory": (TheoryCommand.help, TheoryCommand.run),
  "blas-probe": (BLASProbeCommand.help, BLASProbeCommand.run),
]

/// Commands that do BLAS work: the kernel choice runs before them.
let blasCommands: Set<String> = ["run", "bench", "theory"]

@MainActor func main() -> Int32 {
  let arguments = Array(CommandLine.arguments.dropFirst())
  guard let name = arguments.first else {
    StandardStreams.write(usage + "\n", toError: true)
    return 2
  }
  if name == "--help" || name == "-h" || name == "help" {
    Output.block(usage)
    return 0
  }
  if name == "--version" {
    Output.line("scalesweep \(ScaleSweepVersion.current)")
    return 0
  }
  guard let command = commands[name] else {
    Output.error(
      "unknown command \"\(name)\" (commands: \(commands.keys.filter { $0 != "blas-probe" }.sorted().joined(separator: ", ")))"
    )
    return 2
  }
  let rest = Array(arguments.dropFirst())
  if rest.contains("--help") || rest.contains("-h") {
    Output.block(command.help)
    return 0
  }
  // Before any BLAS work, and before MPI starts: this may re-execute the process.
  if blasCommands.contains(name) { _ = Startup.kernel }
  // Under mpirun every rank sees the same bad input: only rank 0 reports it.
  let reports = Output.launcherRank == 0
  do {
    return try command.run(rest)
  } catch let error as UsageError {
    if reports { Output.error(error.description) }
    return 2
  } catch let error as JobSpecError {
    if reports { Output.error(error.description) }
    return 2
  } catch let error as HandshakeMismatch {
    if reports { Output.error(error.description) }
    return 2
  } catch let error as FrontierError {
    if reports { Output.error(error.description) }
    return 2
  } catch let error as ResultsError {
    if reports { Output.error(error.description) }
    switch error {
    case .io, .lockFailed: return 1
    default: return 2
    }
  } catch {
    Output.error("\(error)")
    return 1
  }
}

exit(main())
