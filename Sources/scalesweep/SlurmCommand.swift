import Foundation
import SweepSpec

/// `scalesweep slurm JOB [...]`: prints a ready sbatch script for JOB, sized
/// from its plan. The script's body is `slurm/sweep.sbatch`'s (a test keeps
/// the two identical): multi-node MPI launch, graceful stop on the early
/// warning signal, self-requeue until every cell is finished.
///
/// Nothing a user controls reaches the script unquoted: paths become single
/// shell words (``shellWord(_:)``), the job name appears only reduced to
/// `[A-Za-z0-9._-]` (``slurmName(_:)``), and the time and every site option
/// (``SlurmRequest``) are checked against what Slurm accepts before they
/// enter `#SBATCH` lines.
enum SlurmCommand {
  static let help = """
    usage: scalesweep slurm JOB [--nodes N] [--ntasks-per-node K] [--time T]
                                [--partition P] [--account A] [--qos Q]
                                [--mem SIZE | --mem-per-cpu SIZE] [--constraint F]
                                [--gres G] [--gpus-per-task G] [--exclusive]
                                [--mail-type EVENTS] [--mail-user ADDRESS]
                                [--output LOG] [--out FILE.h5] [--set KEY=VALUE ...]

    Prints an sbatch script that runs JOB with one MPI rank per task and
    requeues itself until every cell is finished (submit it with sbatch).
    Resources come from the job's plan:

      --nodes N            nodes (default 1)
      --ntasks-per-node K  ranks per node (default: the fewest ranks beyond
                           which the planned makespan shrinks by under 10%,
                           at most 64 per node)
      --time T             time limit per run, in Slurm's format (M, H:M:S,
                           D-H:M:S ...; default: planned makespan x 1.5 plus
                           5 minutes); a sweep longer than T is requeued
      --mem-per-cpu SIZE   memory per rank, SIZE as 4096, 512M, 4G, 1T
                           (default: the plan's x 1.25 plus 512 MiB runtime)
      --mem SIZE           memory per node instead (0: all of it)
      --out FILE.h5        results file (default: NAME.h5 next to JOB, NAME
                           being the job's name; made absolute)
      --set KEY=VALUE      override a job key (repeatable); the script's run
                           passes the same overrides

    Passed to Slurm as given, each checked first:

      --partition P, --account A, --qos Q
      --constraint F       node features (e.g. "skylake&ib")
      --gres G             generic resources NAME[:TYPE]:COUNT[,...]
      --gpus-per-task G    [TYPE:]COUNT (default: a command model's
                           devices_per_rank, so each rank gets its devices)
      --exclusive          whole nodes
      --mail-type EVENTS   e.g. END,FAIL;  --mail-user ADDRESS
      --output LOG         the Slurm log (default NAME-%j.log in the
                           directory you submit from)

    The script runs `scalesweep` from PATH (after sourcing SCALESWEEP_SETUP,
    e.g. a file with `module load scalesweep`), else the installed binary
    that printed it; SCALESWEEP_BIN overrides both. It launches with srun
    --mpi=pmix; set SCALESWEEP_LAUNCHER=mpirun when submitting to use the
    site's mpirun (docs/cluster.md lists every variable).
    """

  /// Seconds added to the makespan for start-up, the stop signal and flushing.
  static let timeOverhead = 300.0
  /// The time limit is the planned makespan times this, plus ``timeOverhead``.
  static let timeMargin = 1.5
  /// Seconds before the time limit at which Slurm sends SIGUSR1.
  static let signalLead = 90
  /// Seconds a stopping rank may spend finishing its cell (`run --grace`).
  static let grace = Int(RunCommand.defaultGrace)
  /// Ranks per node the default sizing never exceeds.
  static let defaultMaxTasksPerNode = 64

  static func run(_ words: [String]) throws -> Int32 {
    let args = try Arguments(
      words, command: "slurm", flags: SlurmRequest.flagNames,
      options: SlurmRequest.optionNames.union([
        "--nodes", "--ntasks-per-node", "--time", "--out",
      ]),
      repeatable: ["--set"])
    let path = try args.single("job file", command: "slurm")
    let nodesOption = try args.integer("--nodes", command: "slurm", in: 1...1_000_000)
    let perNodeOption = try args.integer("--ntasks-per-node", command: "slurm", in: 1...100_000)
    let timeOption = try args.value("--time").map { text throws(UsageError) in
      guard let seconds = slurmSeconds(text) else {
        throw UsageError(
          message:
            "scalesweep slurm: --time \(visible(text)): expected a Slurm time limit (M, M:S, H:M:S, D-H, D-H:M or D-H:M:S)"
        )
      }
      return seconds
    }
    let here = FileManager.default.currentDirectoryPath
    var request = try SlurmRequest(args, directory: here)
    let (_, job, overrides) = try args.job(command: "slurm")
    try PlanCommand.checkMemory(job, file: path)
    if request.gpusPerTask == nil, let devices = devicesPerRank(jobFile: path) {
      request.gpusPerTask = String(devices)
    }
    if case .command = job.model, timeOption == nil {
      throw UsageError(
        message:
          "scalesweep slurm: \(path) runs a command, whose time ScaleSweep cannot estimate: give --time (one run's limit; the job requeues until every cell is done)"
      )
    }

    let name = slurmName(job.name)
    let jobPath = absolute(path, from: here)
    let jobDirectory = (jobPath as NSString).deletingLastPathComponent
    let out = absolute(args.value("--out") ?? "\(jobDirectory)/\(name).h5", from: here)
    let sizing = size(job, nodes: nodesOption, tasksPerNode: perNodeOption, timeLimit: timeOption)
    if sizing.estimate.largestCellSeconds > Double(sizing.timeLimit - sizing.signalLead) {
      Output.warning(
        "the largest cell takes about \(PlanCommand.duration(sizing.estimate.largestCellSeconds)), longer than one run of \(slurmTime(sizing.timeLimit)) before the stop signal: it would be abandoned at every requeue; raise --time"
      )
    }
    if let shortfall = memoryShortfall(request.memory, sizing: sizing) {
      Output.warning(shortfall)
    }
    let installed = installedBinary()
    if installed == nil && searchPath("scalesweep") == nil {
      Output.warning(
        "this scalesweep is a build-tree binary and none is on PATH: install it (make install) or submit with SCALESWEEP_BIN set"
      )
    }
    Output.block(
      script(
        job: job, jobPath: jobPath, out: out, installedBinary: installed, sizing: sizing,
        request: request, overrides: overrides.map(\.text)))
    return 0
  }

  /// `model.devices_per_rank` of a `command` model in the job file: the
  /// devices each rank drives, requested as `--gpus-per-task`.
  static func devicesPerRank(jobFile: String) -> Int? {
    guard let data = FileManager.default.contents(atPath: jobFile),
      let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let model = json["model"] as? [String: Any], model["kind"] as? String == "command",
      let devices = model["devices_per_rank"] as? Int, devices >= 1
    else { return nil }
    return devices
  }

  /// A warning when the asked memory is below the plan's need, else nil.
  static func memoryShortfall(_ memory: SlurmRequest.Memory?, sizing s: Sizing) -> String? {
    // The plan's peak plus the runtime, without the 1.25 margin.
    let needPerRank = Int((s.estimate.memoryPerRankBytes / 1_048_576).rounded(.up)) + 512
    switch memory {
    case .perCPU(let mebibytes) where mebibytes < needPerRank:
      return
        "--mem-per-cpu \(mebibytes)M is below the plan's \(needPerRank) MiB per rank (with 512 MiB runtime): ranks may be killed for memory"
    case .perNode(let mebibytes) where mebibytes > 0 && mebibytes < needPerRank * s.tasksPerNode:
      return
        "--mem \(mebibytes)M is below the plan's \(needPerRank * s.tasksPerNode) MiB for \(s.tasksPerNode) ranks per node: ranks may be killed for memory"
    default:
      return nil
    }
  }

  // MARK: Sizing

  /// Resources for one job: ranks, time limit, memory, signal timing.
  struct Sizing {
    var nodes: Int
    var tasksPerNode: Int
    var estimate: PlanCommand.Estimate
    var timeLimit: Int
    var timeFromPlan: Bool
    var signalLead: Int
    var grace: Int
    var memoryPerRankMiB: Int
    var ranks: Int { nodes * tasksPerNode }
  }

  static func size(_ job: JobSpec, nodes: Int?, tasksPerNode: Int?, timeLimit: Int?) -> Sizing {
    let nodeCount = nodes ?? 1
    let perNode =
      tasksPerNode
      ?? {
        let useful = usefulRanks(job, atMost: nodeCount * defaultMaxTasksPerNode)
        return min((useful + nodeCount - 1) / nodeCount, defaultMaxTasksPerNode)
      }()
    let estimate = PlanCommand.estimate(job, ranks: nodeCount * perNode)
    let limit =
      timeLimit
      ?? Int(((estimate.makespanSeconds * timeMargin + timeOverhead) / 60).rounded(.up)) * 60
    let lead = min(signalLead, limit / 3)
    let memory = (estimate.memoryPerRankBytes * 1.25 + 512 * 1_048_576) / 1_048_576
    return Sizing(
      nodes: nodeCount, tasksPerNode: perNode, estimate: estimate, timeLimit: limit,
      timeFromPlan: timeLimit == nil, signalLead: lead, grace: min(grace, max(lead / 3, 1)),
      memoryPerRankMiB: Int(memory.rounded(.up)))
  }

  /// The fewest ranks (up to `limit`) whose planned makespan is within 10% of
  /// the best any number of ranks can do, max(largest cell, work / `limit`).
  /// Largest-first makespans shrink (nearly) monotonically, so bisect.
  static func usefulRanks(_ job: JobSpec, atMost limit: Int) -> Int {
    let cap = max(1, min(limit, job.cells.count))
    let full = PlanCommand.estimate(job, ranks: cap)
    let target = 1.1 * max(full.largestCellSeconds, full.serialSeconds / Double(cap))
    var low = 1
    var high = cap
    while low < high {
      let mid = (low + high) / 2
      if PlanCommand.estimate(job, ranks: mid).makespanSeconds <= target {
        high = mid
      } else {
        low = mid + 1
      }
    }
    return low
  }

  // MARK: The script

  static func script(
    job: JobSpec, jobPath: String, out: String, installedBinary: String?, sizing s: Sizing,
    request: SlurmRequest, overrides: [String] = []
  ) -> String {
    let name = slurmName(job.name)
    let e = s.estimate
    let runs = max(
      1, Int((e.makespanSeconds / Double(max(s.timeLimit - s.signalLead - 60, 60))).rounded(.up)))
    var lines = [
      "#!/bin/bash",
      "# ScaleSweep job \(name), printed by `scalesweep slurm` (scalesweep \(ScaleSweepVersion.current)).",
      "# Submit it with `sbatch FILE`; add SCALESWEEP_LAUNCHER=mpirun in front to",
      "# launch with the site's mpirun instead of srun --mpi=pmix. Chain the",
      "# analysis with sbatch --dependency=afterok:ID \(frontierScript(installedBinary)) RESULTS.h5",
      "# (RESULTS.h5 is the out= path below). docs/cluster.md explains the rest.",
      "#",
    ]
    if case .command = job.model {
      // A command's run time is not known: the limit is the one asked for.
      lines += [
        "# Plan: \(e.cells) cells, each a run of the job's command; run time not estimated:",
        "#   the time limit is as asked (--time) and the sweep requeues itself until done.",
      ]
    } else {
      lines += [
        String(
          format: "# Plan: %d cells, %.3g FLOP; %@ on one core, largest cell %@;",
          e.cells, e.computeFlops, PlanCommand.duration(e.serialSeconds),
          PlanCommand.duration(e.largestCellSeconds)),
        "#   makespan \(PlanCommand.duration(e.makespanSeconds)) on \(s.ranks) ranks (\(s.nodes) node\(s.nodes == 1 ? "" : "s") x \(s.tasksPerNode)), "
          + String(format: "%.1f MiB per rank.", e.memoryPerRankBytes / 1_048_576),
        s.timeFromPlan
          ? "# Time limit: makespan x \(timeMargin) + \(Int(timeOverhead) / 60) min (start-up, stop signal, flush)."
          : "# Time limit as asked; the sweep needs about \(runs) run\(runs == 1 ? "" : "s") of it (it requeues itself).",
      ]
    }
    lines += [
      memoryComment(request.memory, sizing: s),
      "#",
      "#SBATCH --job-name=\(name)",
      "#SBATCH --nodes=\(s.nodes)",
      "#SBATCH --ntasks-per-node=\(s.tasksPerNode)",
      "#SBATCH --cpus-per-task=1",
      memoryLine(request.memory, sizing: s),
      "#SBATCH --time=\(slurmTime(s.timeLimit))",
      "#SBATCH --signal=B:USR1@\(s.signalLead)",
      "#SBATCH --requeue",
      "#SBATCH --open-mode=append",
      "#SBATCH --output=\(request.output ?? "\(name)-%j.log")",
    ]
    lines += request.headerLines
    lines += [
      "",
      "job=\(shellWord(jobPath))",
      "overrides=(\(overrides.map { "--set " + shellWord($0) }.joined(separator: " ")))",
      "out=\(shellWord(out))",
      "installed_bin=\(shellWord(installedBinary ?? ""))",
      "default_grace=\(s.grace)",
      "",
    ]
    return lines.joined(separator: "\n") + "\n" + body
  }

  // MARK: Quoting and checking

  /// `text` as one shell word that bash reads back byte for byte and never
  /// expands: single quotes for ordinary text, else `$'...'` with escapes, so
  /// a newline never starts a new line of the script and shellcheck sees no
  /// would-be expansion inside quotes.
  static func shellWord(_ text: String) -> String {
    let plain = text.unicodeScalars.allSatisfy {
      $0.value >= 0x20 && $0.value != 0x7f && !"$`'\\".unicodeScalars.contains($0)
    }
    if plain { return "'" + text + "'" }
    var word = "$'"
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\\": word += #"\\"#
      case "'": word += #"\'"#
      case "\n": word += #"\n"#
      case "\t": word += #"\t"#
      case "\r": word += #"\r"#
      case _ where scalar.value < 0x20 || scalar.value == 0x7f:
        word += String(format: #"\x%02x"#, scalar.value)
      default: word.unicodeScalars.append(scalar)
      }
    }
    return word + "'"
  }

  /// A job name as Slurm names and file names take it: `[A-Za-z0-9._-]`,
  /// other characters as `_`, at most 64, never starting with `-` or `.`.
  static func slurmName(_ name: String) -> String {
    var result = ""
    for scalar in name.unicodeScalars.prefix(64) {
      let safe =
        scalar.isASCII
        && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar))
      result.unicodeScalars.append(safe ? scalar : "_")
    }
    while let first = result.first, first == "-" || first == "." { result.removeFirst() }
    return result.isEmpty ? "scalesweep" : result
  }

  /// Seconds of a Slurm time limit: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S.
  static func slurmSeconds(_ text: String) -> Int? {
    let dayParts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard dayParts.count <= 2 else { return nil }
    func number(_ s: Substring) -> Int? {
      guard !s.isEmpty, s.count <= 9, s.allSatisfy({ $0.isASCII && $0.isNumber }) else {
        return nil
      }
      return Int(s)
    }
    let clock = dayParts.last!.split(separator: ":", omittingEmptySubsequences: false)
    guard (1...3).contains(clock.count) else { return nil }
    var fields: [Int] = []
    for field in clock {
      guard let v = number(field) else { return nil }
      fields.append(v)
    }
    var seconds: Int
    if dayParts.count == 2 {
      guard let days = number(dayParts[0]) else { return nil }
      // D-H, D-H:M, D-H:M:S
      let h = fields[0]
      let m = fields.count > 1 ? fields[1] : 0
      let s = fields.count > 2 ? fields[2] : 0
      seconds = ((days * 24 + h) * 60 + m) * 60 + s
    } else {
      switch fields.count {
      case 1: seconds = fields[0] * 60  // M
      case 2: seconds = fields[0] * 60 + fields[1]  // M:S
      default: seconds = (fields[0] * 60 + fields[1]) * 60 + fields[2]  // H:M:S
      }
    }
    return seconds > 0 ? seconds : nil
  }

  /// `D-HH:MM:SS`, or `HH:MM:SS` under a day.
  static func slurmTime(_ seconds: Int) -> String {
    let days = seconds / 86_400
    let clock = String(
      format: "%02d:%02d:%02d", (seconds % 86_400) / 3600, (seconds % 3600) / 60, seconds % 60)
    return days > 0 ? "\(days)-\(clock)" : clock
  }

  /// A user's value in an error message, control characters made visible.
  static func visible(_ text: String) -> String {
    text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }
      ? shellWord(text) : "\"\(text)\""
  }

  static func absolute(_ path: String, from directory: String) -> String {
    let url =
      path.hasPrefix("/")
      ? URL(fileURLWithPath: path) : URL(fileURLWithPath: directory).appendingPathComponent(path)
    return url.standardizedFileURL.path
  }

  /// This binary's absolute path.
  static func executablePath() -> String {
    if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
      return target
    }
    return CommandLine.arguments.first.map {
      absolute($0, from: FileManager.default.currentDirectoryPath)
    } ?? "scalesweep"
  }

  /// This binary if it is installed, the fallback a printed script uses when
  /// `scalesweep` is not on PATH; nil for a SwiftPM build tree (`.build/`),
  /// which the next build replaces and which needs the toolchain's runtime.
  static func installedBinary() -> String? {
    let path = executablePath()
    return path.contains("/.build/") ? nil : path
  }

  /// The first executable `name` in a directory of PATH, or nil.
  static func searchPath(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    return path.split(separator: ":").map { "\($0)/\(name)" }.first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
  }

  /// `PREFIX/share/scalesweep/slurm/frontier.sbatch` beside an installed
  /// binary (`PREFIX/bin/scalesweep`), else the source tree's relative path.
  static func frontierScript(_ installedBinary: String?) -> String {
    if let installedBinary {
      let prefix = ((installedBinary as NSString).deletingLastPathComponent as NSString)
        .deletingLastPathComponent
      let script = "\(prefix)/share/scalesweep/slurm/frontier.sbatch"
      // A comment line of the script: no control character may end it early.
      let printable = script.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7f }
      if printable && FileManager.default.fileExists(atPath: script) { return script }
    }
    return "slurm/frontier.sbatch"
  }

  /// The `#SBATCH` memory line: the plan's per rank unless asked otherwise.
  static func memoryLine(_ memory: SlurmRequest.Memory?, sizing s: Sizing) -> String {
    switch memory {
    case nil: "#SBATCH --mem-per-cpu=\(s.memoryPerRankMiB)M"
    case .perCPU(let mebibytes): "#SBATCH --mem-per-cpu=\(mebibytes)M"
    case .perNode(let mebibytes): "#SBATCH --mem=\(mebibytes)M"
    }
  }

  static func memoryComment(_ memory: SlurmRequest.Memory?, sizing s: Sizing) -> String {
    let plan = "\(s.memoryPerRankMiB) MiB per rank (plan x 1.25 + 512 MiB runtime)"
    return memory == nil ? "# Memory: \(plan)." : "# Memory: as asked; the plan suggests \(plan)."
  }

  /// The common body of every generated script, the same text as in
  /// `slurm/sweep.sbatch` between its "common body" markers.
  static let body = #"""
    # --- common body: scripts printed by `scalesweep slurm` carry the same text ---
    set -uo pipefail

    note() { printf '%s scalesweep-sbatch: %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$*"; }

    # The site's setup (module load lines, variables), sourced on every run, so a
    # requeued run has it too; it may set any SCALESWEEP_ variable below.
    if [[ -n ${SCALESWEEP_SETUP:-} ]]; then
      if [[ ! -f $SCALESWEEP_SETUP || ! -r $SCALESWEEP_SETUP ]]; then
        note "SCALESWEEP_SETUP=$SCALESWEEP_SETUP: no such readable file"
        exit 2
      fi
      note "sourcing SCALESWEEP_SETUP=$SCALESWEEP_SETUP"
      set +u # module systems' scripts read unset variables
      # shellcheck disable=SC1090 # the site's file, named when submitting
      source "$SCALESWEEP_SETUP"
      setup_status=$?
      set -u
      if ((setup_status != 0)); then note "SCALESWEEP_SETUP returned status $setup_status; going on"; fi
    fi

    # The binary: SCALESWEEP_BIN, else scalesweep on PATH (after the setup, which
    # may module load it), else the installed binary this script names.
    bin=${SCALESWEEP_BIN:-}
    if [[ -z $bin ]]; then bin=$(command -v scalesweep) || bin=$installed_bin; fi
    if [[ -z $bin ]] || ! bin=$(command -v -- "$bin"); then
      note "no scalesweep binary: put it on PATH (make install; module load in SCALESWEEP_SETUP) or set SCALESWEEP_BIN"
      exit 2
    fi

    launcher=${SCALESWEEP_LAUNCHER:-srun}
    interval=${SCALESWEEP_PROGRESS_INTERVAL:-60}
    grace=${SCALESWEEP_GRACE:-$default_grace}
    max_requeues=${SCALESWEEP_MAX_REQUEUES:-20}
    restarts=${SLURM_RESTART_COUNT:-0}
    read -r -a launcher_args <<<"${SCALESWEEP_LAUNCHER_ARGS:-}"
    case $launcher in
      srun) launch=(srun --mpi="${SCALESWEEP_SRUN_MPI:-pmix}" --kill-on-bad-exit=0) ;;
      # mpirun answers SIGTERM (which Slurm sends to every process of a cancelled
      # or preempted job) by killing the ranks 1 s later: give them the grace.
      # Keepalives on its daemon links let it notice a node cut off by the
      # network (about 60 s of silence) instead of hanging until the time limit.
      mpirun) launch=(mpirun --mca odls_base_sigkill_timeout "$((${grace%.*} + 10))"
        --mca oob_tcp_keepalive_time 30 --mca oob_tcp_keepalive_intvl 10
        --mca oob_tcp_keepalive_probes 3) ;;
      *)
        note "SCALESWEEP_LAUNCHER must be srun or mpirun, not \"$launcher\""
        exit 2
        ;;
    esac
    launch+=("${launcher_args[@]}")

    # A signal to this shell is passed to the launcher as SIGUSR1: srun and
    # mpirun both forward SIGUSR1 to every rank (mpirun turns SIGTERM into a kill).
    stop=""
    launcher_pid=""
    # shellcheck disable=SC2317 # called only from the traps
    on_signal() {
      stop=$1
      note "SIG$1: asking every rank to stop and flush"
      if [[ -n $launcher_pid ]]; then kill -USR1 "$launcher_pid" 2>/dev/null || true; fi
    }
    trap 'on_signal USR1' USR1
    trap 'on_signal TERM' TERM
    trap 'on_signal INT' INT

    # scalesweep takes a word starting with "-" for an option.
    case $job in -*) job=./$job ;; esac
    case $out in -*) out=./$out ;; esac
    mkdir -p -- "$(dirname -- "$out")"
    note "job ${SLURM_JOB_ID:-?} restart $restarts on ${SLURM_JOB_NUM_NODES:-1} node(s), ${SLURM_NTASKS:-?} ranks, launcher $launcher, $bin"
    status=75
    if [[ -z $stop ]]; then
      # Always --resume: a first run creates the file, a requeued run continues it.
      "${launch[@]}" "$bin" run "$job" "${overrides[@]}" --out "$out" --resume \
        --progress-interval "$interval" --grace "$grace" &
      launcher_pid=$!
      if [[ -n $stop ]]; then kill -USR1 "$launcher_pid" 2>/dev/null || true; fi
      # `wait` returns early when a trapped signal arrives: wait again until the
      # launcher has really ended, then keep its status.
      while :; do
        wait "$launcher_pid"
        status=$?
        kill -0 "$launcher_pid" 2>/dev/null || break
      done
    fi

    case $status in
      0)
        note "sweep complete: $out"
        exit 0
        ;;
      3)
        note "sweep ended with failed cells (status 3): not requeueing; the chained analysis runs on the finished cells, marked incomplete; retry the failed cells with the command the run printed above (--resume --retry-failed)"
        exit 0
        ;;
      *)
        if [[ $stop == TERM || $stop == INT ]]; then
          # mpirun reports a SIGTERM it received itself as status 1 even when
          # every rank stopped cleanly with 75.
          note "stopped by SIG$stop (status $status); not requeueing: Slurm decides whether the job runs again"
          exit "$status"
        fi
        if ((status != 75)); then
          note "sweep failed with status $status"
          exit "$status"
        fi
        if ((restarts >= max_requeues)); then
          note "cells pending after $restarts restarts (SCALESWEEP_MAX_REQUEUES=$max_requeues); not requeueing"
          exit 75
        fi
        note "cells pending: requeueing job ${SLURM_JOB_ID:-?} to resume"
        if [[ -n ${SLURM_JOB_ID:-} ]] && scontrol requeue "$SLURM_JOB_ID"; then
          exit 75
        fi
        note "requeue failed: submit this script again to resume"
        exit 75
        ;;
    esac
    # --- end of common body ---
    """#
}
