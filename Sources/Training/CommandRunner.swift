import Foundation
import SweepSpec

#if canImport(Glibc)
  import Glibc
#endif

/// Runs one cell of a `command` job: the user's program, with the cell's
/// placeholders and `SCALESWEEP_*` environment, reporting progress as JSON
/// lines on stdout (docs/trainers.md).
///
/// Outcomes: exit 0 -> done; non-zero exit or a signal -> failed, with the
/// status and the last lines of stderr; a non-finite loss -> diverged at that
/// step (the program is stopped); `timeout` -> failed. A stop from the host
/// sends SIGTERM to the program's process group, SIGKILL after `stopGrace`;
/// the cell stays pending and its checkpoint directory is kept.
public struct CommandRunner: CellRunner {
  public let job: JobSpec
  public let spec: CommandSpec
  /// `<results file>.checkpoints`: holds `cell-<index>` directories.
  public let checkpointRoot: String
  public let stopGrace: Double
  /// This rank's index among the ranks of its node (`SCALESWEEP_LOCAL_RANK`).
  public let localRank: Int

  /// How often (seconds) the host is asked whether to go on while a program runs.
  static let pollInterval = 0.005
  /// Lines of stderr kept for a failed cell's message.
  static let stderrTail = 8

  public init(job: JobSpec, checkpointRoot: String, stopGrace: Double, localRank: Int? = nil) {
    guard case .command(let spec) = job.model else {
      preconditionFailure("CommandRunner needs a command job")
    }
    self.job = job
    self.spec = spec
    self.checkpointRoot = checkpointRoot
    self.stopGrace = stopGrace
    self.localRank = localRank ?? Self.nodeLocalRank()
  }

  /// The node-local rank the MPI launcher or Slurm gives this process, else 0.
  public static func nodeLocalRank() -> Int {
    let env = ProcessInfo.processInfo.environment
    for name in [
      "OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "PMIX_LOCAL_RANK", "SLURM_LOCALID",
    ] {
      if let text = env[name], let rank = Int(text) { return rank }
    }
    return 0
  }

  /// `<checkpointRoot>/task<T>-w<N>-d<P>-g<gamma>-lr<lr>-b<B>-s<seed>-t<budget>`: named by
  /// the cell's coordinates, not its index, so a grown job (which renumbers
  /// cells) never hands one cell's checkpoints to another.
  public func checkpointDirectory(of cell: Cell) -> String {
    let name =
      "task\(cell.task)-w\(cell.width)-d\(cell.data.description)-g\(cell.gamma)"
      + "-lr\(cell.learningRate)-b\(cell.batch)-s\(cell.seed)-t\(cell.stepsBudget)"
    return (checkpointRoot as NSString).appendingPathComponent(name)
  }

  /// The program's arguments and environment for `cell` (the environment
  /// adds to this process's own, which the child inherits).
  public func invocation(of cell: Cell) -> (argv: [String], environment: [String: String]) {
    let checkpoint = checkpointDirectory(of: cell)
    let values = job.placeholderValues(of: cell, checkpointDirectory: checkpoint)
    let argv = spec.argv.map { PlaceholderTemplate.expand($0, values) }
    var env = ProcessInfo.processInfo.environment
    for (name, value) in spec.environment { env[name] = PlaceholderTemplate.expand(value, values) }
    let own: [(String, String?)] = [
      ("SCALESWEEP_CELL", values["cell"]), ("SCALESWEEP_WIDTH", values["width"]),
      ("SCALESWEEP_DATA", values["data"]), ("SCALESWEEP_GAMMA", values["gamma"]),
      ("SCALESWEEP_SEED", values["seed"]), ("SCALESWEEP_STEPS", values["steps"]),
      ("SCALESWEEP_BATCH", values["batch"]), ("SCALESWEEP_LR", values["lr"]),
      ("SCALESWEEP_TASK", values["task"]), ("SCALESWEEP_RECORD_STEPS", values["record_steps"]),
      ("SCALESWEEP_CHECKPOINT_DIR", checkpoint), ("SCALESWEEP_LOCAL_RANK", String(localRank)),
    ]
    for (name, value) in own { env[name] = value ?? "" }
    if spec.devicesPerRank > 0 {
      let first = localRank * spec.devicesPerRank
      env["CUDA_VISIBLE_DEVICES"] = (first..<(first + spec.devicesPerRank)).map(String.init)
        .joined(separator: ",")
    }
    return (argv, env)
  }

  public func run(_ cell: Cell, budgets: [Int], supervisor: CellSupervisor) throws
    -> [CellOutcome]?
  {
    // A program's run is its own budget's (JobSpec.sharesRunsAcrossBudgets).
    guard budgets == [cell.stepsBudget] else {
      throw TrainingError.numerical(
        cell: cell.index, message: "a command runs one budget per cell, not \(budgets)")
    }
    let checkpoint = checkpointDirectory(of: cell)
    if FileManager.default.fileExists(atPath: checkpoint) {
      // An earlier run of this cell was interrupted; if it was killed (-9),
      // its program may still be running here and writing checkpoints.
      ChildProcess.killLeftovers(environment: "SCALESWEEP_CHECKPOINT_DIR=\(checkpoint)")
    }
    try FileManager.default.createDirectory(
      atPath: checkpoint, withIntermediateDirectories: true)
    let (argv, environment) = invocation(of: cell)
    var session = CommandSession(
      cell: cell,
      recordSteps: RecordSchedule.steps(
        budget: cell.stepsBudget, points: job.training.recordPoints))
    let outcome: CellOutcome?
    do {
      let child = try ChildProcess(argv: argv, environment: environment)
      outcome = session.supervise(
        child, supervisor: supervisor, timeout: spec.timeout, stopGrace: stopGrace)
    } catch let error as ChildProcess.SpawnError {
      outcome = .failed(steps: session.recordSteps, message: error.description)
    }
    guard let outcome else { return nil }
    // A finished cell never runs again: its checkpoints have served.
    try? FileManager.default.removeItem(atPath: checkpoint)
    return [outcome]
  }
}

/// One program's run: reads its lines, keeps the losses at record steps,
/// and decides how it ends.
struct CommandSession {
  let cell: Cell
  let recordSteps: [Int]
  private let recordIndex: [Int: Int]
  private var train: [Double]
  private var test: [Double]
  private var lastStep = 0
  private var lastFlops: (step: Int, flops: Double)?
  private var pendingOut: [UInt8] = []
  private var pendingErr: [UInt8] = []
  private var stderrTail: [String] = []
  /// Set when a line ends the cell (broken JSON, a non-finite loss).
  private var verdict: CellOutcome?

  init(cell: Cell, recordSteps: [Int]) {
    self.cell = cell
    self.recordSteps = recordSteps
    recordIndex = Dictionary(uniqueKeysWithValues: recordSteps.enumerated().map { ($1, $0) })
    train = [Double](repeating: .nan, count: recordSteps.count)
    test = train
  }

  mutating func supervise(
    _ child: ChildProcess, supervisor: CellSupervisor, timeout: Double?, stopGrace: Double
  ) -> CellOutcome? {
    let start = Date()
    while true {
      let chunk = child.read(timeout: CommandRunner.pollInterval)
      take(chunk.out, chunk.err)
      if let verdict {
        child.terminate(grace: stopGrace) { _, _ in }
        return verdict
      }
      if child.stdout < 0 && child.stderr < 0 {
        // Both pipes ended: the program has exited (or closed them); wait for it.
        if child.reap() { break }
      } else if child.reap() {
        // Exited: collect what is still in the pipes (a short grace for
        // descendants that kept them open; they are killed with the group).
        let deadline = Date().addingTimeInterval(0.2)
        while (child.stdout >= 0 || child.stderr >= 0) && Date() < deadline {
          let rest = child.read(timeout: 0.01)
          take(rest.out, rest.err)
        }
        child.closePipes()
        break
      }
      if let timeout, Date().timeIntervalSince(start) > timeout {
        child.terminate(grace: stopGrace) { _, _ in }
        return .failed(
          steps: recordSteps,
          message: "timed out after \(String(format: "%g", timeout)) s" + lastStepNote)
      }
      if supervisor.directive(afterStep: lastStep) == .stop {
        child.terminate(grace: stopGrace) { out, err in self.take(out, err) }
        return nil
      }
    }
    flushPartialLines()
    if let verdict { return verdict }
    return ending(status: child.exitStatus ?? 0)
  }

  private var lastStepNote: String {
    lastStep > 0 ? " (last reported step \(lastStep))" : " (no step reported)"
  }

  /// The outcome of a program that exited by itself with `status` (waitpid's).
  private func ending(status: Int32) -> CellOutcome {
    let exited = status & 0x7f == 0
    let code = (status >> 8) & 0xff
    let signal = status & 0x7f
    guard exited && code == 0 else {
      let how =
        exited
        ? "exited with status \(code)" : "killed by signal \(signal)\(Self.signalName(signal))"
      return .failed(steps: recordSteps, message: Self.message(how, tail: stderrTail))
    }
    let missing = recordSteps.indices.filter { test[$0].isNaN }.map { recordSteps[$0] }
    if !missing.isEmpty {
      CellLog.line(
        cell.index,
        "warning: record steps never reported (NaN): \(missing.map(String.init).joined(separator: ", "))"
      )
    }
    return .done(steps: recordSteps, trainLoss: train, testLoss: test, flopsPerStep: flopsPerStep)
  }

  private var flopsPerStep: Double? {
    guard let lastFlops, lastFlops.step > 0 else { return nil }
    return lastFlops.flops / Double(lastFlops.step)
  }

  /// "exited with status 1; stderr: ...last lines..." within the 255 bytes `/cells/error` holds.
  static func message(_ how: String, tail: [String]) -> String {
    guard !tail.isEmpty else { return how }
    var text = tail.joined(separator: " | ")
    let room = 250 - how.utf8.count - 10
    while text.utf8.count > max(room, 0) { text.removeFirst() }
    return "\(how); stderr: \(text)"
  }

  static func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGKILL: return " (SIGKILL)"
    case SIGTERM: return " (SIGTERM)"
    case SIGSEGV: return " (SIGSEGV)"
    case SIGABRT: return " (SIGABRT)"
    case SIGINT: return " (SIGINT)"
    case SIGBUS: return " (SIGBUS)"
    default: return ""
    }
  }

  mutating func take(_ out: [UInt8], _ err: [UInt8]) {
    pendingOut += out
    pendingErr += err
    while let newline = pendingOut.firstIndex(of: 10) {
      let line = String(decoding: pendingOut[..<newline], as: UTF8.self)
      pendingOut.removeSubrange(...newline)
      handleStdout(line)
    }
    while let newline = pendingErr.firstIndex(of: 10) {
      let line = String(decoding: pendingErr[..<newline], as: UTF8.self)
      pendingErr.removeSubrange(...newline)
      handleStderr(line)
    }
  }

  private mutating func flushPartialLines() {
    if !pendingOut.isEmpty {
      handleStdout(String(decoding: pendingOut, as: UTF8.self))
      pendingOut = []
    }
    if !pendingErr.isEmpty {
      handleStderr(String(decoding: pendingErr, as: UTF8.self))
      pendingErr = []
    }
  }

  private mutating func handleStderr(_ line: String) {
    CellLog.line(cell.index, line)
    stderrTail.append(line)
    if stderrTail.count > CommandRunner.stderrTail { stderrTail.removeFirst() }
  }

  private mutating func handleStdout(_ raw: String) {
    let line = raw.trimmingCharacters(in: .whitespaces)
    guard verdict == nil else { return }
    guard line.hasPrefix("{") else {
      if !line.isEmpty { CellLog.line(cell.index, line) }
      return
    }
    switch ProgressLine.parse(line) {
    case .failure(let problem):
      verdict = .failed(
        steps: recordSteps, message: "broken progress line (\(problem)): \(line.prefix(120))")
    case .success(let progress):
      lastStep = progress.step
      if let flops = progress.flops, flops.isFinite { lastFlops = (progress.step, flops) }
      guard progress.testLoss.isFinite, progress.trainLoss?.isFinite ?? true else {
        verdict = divergedOutcome(at: progress.step)
        return
      }
      if let i = recordIndex[progress.step] {
        test[i] = progress.testLoss
        train[i] = progress.trainLoss ?? .nan
      }
    }
  }

  /// Losses recorded before `step` are kept; record steps from it on are not losses.
  private func divergedOutcome(at step: Int) -> CellOutcome {
    let keep = recordSteps.map { $0 < step }
    return .diverged(
      at: step, steps: recordSteps,
      trainLoss: zip(train, keep).map { $1 ? $0 : .nan },
      testLoss: zip(test, keep).map { $1 ? $0 : .nan }, flopsPerStep: flopsPerStep)
  }
}

/// One progress line of the protocol: `{"step": 100, "test_loss": 0.31,
/// "train_loss": 0.35, "flops": 1.2e12}` (`train_loss` and `flops` optional;
/// `NaN`, `Infinity` and `null` losses count as non-finite; other keys ignored).
struct ProgressLine: Equatable {
  var step: Int
  var testLoss: Double
  var trainLoss: Double?
  var flops: Double?

  enum Parsed {
    case success(ProgressLine)
    case failure(String)
  }

  static func parse(_ line: String) -> Parsed {
    let value: JSONValue
    do {
      value = try JSONParser.parse(line, allowingNonFinite: true)
    } catch {
      return .failure("column \(error.column): \(error.message)")
    }
    guard case .object(let members) = value else { return .failure("not an object") }
    func member(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }
    // A step written as 100.0 (a float counter) is still step 100.
    let step: Int
    switch member("step") {
    case .integer(let i)? where i >= 0: step = i
    case .number(let x)? where x >= 0 && x == x.rounded() && x < 1e15: step = Int(x)
    default: return .failure("\"step\" must be a non-negative integer")
    }
    func number(_ key: String) -> Double?? {
      switch member(key) {
      case nil: return .none
      case .integer(let i)?: return .some(Double(i))
      case .number(let x)?: return .some(x)
      case .null?: return .some(.nan)
      default: return .some(nil)
      }
    }
    guard case .some(let testValue) = number("test_loss") else {
      return .failure("\"test_loss\" is missing")
    }
    guard let test = testValue else { return .failure("\"test_loss\" is not a number") }
    let trainValue = number("train_loss")
    if case .some(nil) = trainValue { return .failure("\"train_loss\" is not a number") }
    let flopsValue = number("flops")
    if case .some(nil) = flopsValue { return .failure("\"flops\" is not a number") }
    return .success(
      ProgressLine(
        step: step, testLoss: test, trainLoss: trainValue.flatMap { $0 },
        flops: flopsValue.flatMap { $0 }))
  }
}

/// The program's log lines, passed to this rank's stderr prefixed with the cell.
enum CellLog {
  static func line(_ cell: Int, _ text: String) {
    let bytes = Array("cell \(cell): \(text)\n".utf8)
    bytes.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
  }
}
