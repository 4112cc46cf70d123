import Foundation

/// What `scalesweep slurm` asks of the site beyond nodes, tasks and time:
/// partition, account, QOS, memory, features, generic resources, mail and the
/// log path. Every value is checked against what Slurm accepts before it
/// becomes an `#SBATCH` line, so no line can carry a space, a quote or a
/// newline into the script.
struct SlurmRequest {
  /// Memory as Slurm's `--mem` / `--mem-per-cpu` take it, in MiB.
  enum Memory: Equatable {
    /// `--mem`: per node; 0 asks for all of a node's memory.
    case perNode(mebibytes: Int)
    /// `--mem-per-cpu`: per CPU, i.e. per rank (one CPU per task).
    case perCPU(mebibytes: Int)
  }

  var partition: String?
  var account: String?
  var qos: String?
  var constraint: String?
  var gres: String?
  var gpusPerTask: String?
  var memory: Memory?
  var exclusive = false
  var mailType: String?
  var mailUser: String?
  /// The Slurm log (`--output`), absolute; Slurm's `%j`-style patterns kept.
  var output: String?

  /// Options `scalesweep slurm` reads into a request (besides the sizing ones).
  static let optionNames: Set<String> = [
    "--partition", "--account", "--qos", "--constraint", "--gres", "--gpus-per-task", "--mem",
    "--mem-per-cpu", "--mail-type", "--mail-user", "--output",
  ]
  static let flagNames: Set<String> = ["--exclusive"]

  /// Every mail event Slurm 22.05 knows.
  static let mailEvents: Set<String> = [
    "NONE", "BEGIN", "END", "FAIL", "REQUEUE", "ALL", "INVALID_DEPEND", "STAGE_OUT", "TIME_LIMIT",
    "TIME_LIMIT_90", "TIME_LIMIT_80", "TIME_LIMIT_50", "ARRAY_TASKS",
  ]

  init() {}

  /// Reads and checks every request option of `args`; relative paths are
  /// taken from `directory`.
  init(_ args: Arguments, directory: String) throws(UsageError) {
    partition = try Self.name(args.value("--partition"), option: "--partition", extra: ",")
    account = try Self.name(args.value("--account"), option: "--account", extra: ",")
    qos = try Self.name(args.value("--qos"), option: "--qos", extra: "")
    constraint = try Self.constraint(args.value("--constraint"))
    gres = try Self.gres(args.value("--gres"))
    gpusPerTask = try Self.gpus(args.value("--gpus-per-task"))
    let perNode = try Self.mebibytes(args.value("--mem"), option: "--mem", allowZero: true)
    let perCPU = try Self.mebibytes(
      args.value("--mem-per-cpu"), option: "--mem-per-cpu", allowZero: false)
    switch (perNode, perCPU) {
    case (.some, .some):
      throw UsageError(message: "scalesweep slurm: --mem and --mem-per-cpu exclude each other")
    case (.some(let mebibytes), nil): memory = .perNode(mebibytes: mebibytes)
    case (nil, .some(let mebibytes)): memory = .perCPU(mebibytes: mebibytes)
    case (nil, nil): memory = nil
    }
    exclusive = args.has("--exclusive")
    mailType = try Self.mailTypes(args.value("--mail-type"))
    mailUser = try Self.mailUser(args.value("--mail-user"))
    output = try Self.logPath(args.value("--output"), directory: directory)
  }

  /// The `#SBATCH` lines for everything but memory (which the sizing decides).
  var headerLines: [String] {
    var lines: [String] = []
    if let partition { lines.append("#SBATCH --partition=\(partition)") }
    if let account { lines.append("#SBATCH --account=\(account)") }
    if let qos { lines.append("#SBATCH --qos=\(qos)") }
    if let constraint { lines.append("#SBATCH --constraint=\(constraint)") }
    if let gres { lines.append("#SBATCH --gres=\(gres)") }
    if let gpusPerTask { lines.append("#SBATCH --gpus-per-task=\(gpusPerTask)") }
    if exclusive { lines.append("#SBATCH --exclusive") }
    if let mailType { lines.append("#SBATCH --mail-type=\(mailType)") }
    if let mailUser { lines.append("#SBATCH --mail-user=\(mailUser)") }
    return lines
  }

  // MARK: Checks

  static func failure(_ option: String, _ value: String, _ expected: String) -> UsageError {
    UsageError(
      message: "scalesweep slurm: \(option) \(SlurmCommand.visible(value)): expected \(expected)")
  }

  static func only(_ value: String, _ allowed: String) -> Bool {
    value.unicodeScalars.allSatisfy {
      $0.isASCII
        && (CharacterSet.alphanumerics.contains($0) || allowed.unicodeScalars.contains($0))
    }
  }

  /// A partition, account or QOS name: letters, digits, `_ . + -` and
  /// `extra` (commas for lists of alternatives), not starting with `-`.
  static func name(_ value: String?, option: String, extra: String) throws(UsageError)
    -> String?
  {
    guard let value else { return nil }
    guard !value.isEmpty, value.count <= 128, !value.hasPrefix("-"), only(value, "_.+-" + extra)
    else {
      throw failure(option, value, "a Slurm name (letters, digits, _ . + -\(extra))")
    }
    return value
  }

  /// A node feature expression: names joined by `& | ,`, with `[ ]`, `( )`,
  /// `*count` and `:count` as Slurm's `--constraint` allows.
  static func constraint(_ value: String?) throws(UsageError) -> String? {
    guard let value else { return nil }
    guard !value.isEmpty, value.count <= 1024, !value.hasPrefix("-"), only(value, "_.-&|,[]*:()")
    else {
      throw failure(
        "--constraint", value, "node features joined by & | , (letters, digits, _ . - [ ] ( ) * :)")
    }
    return value
  }

  /// `NAME[:TYPE]:COUNT[,...]`: every generic resource with a count >= 1.
  static func gres(_ value: String?) throws(UsageError) -> String? {
    guard let value else { return nil }
    let items = value.split(separator: ",", omittingEmptySubsequences: false)
    let valid = items.allSatisfy { item in
      let parts = item.split(separator: ":", omittingEmptySubsequences: false)
      guard (2...3).contains(parts.count), let count = Int(parts.last!), count >= 1 else {
        return false
      }
      return parts.dropLast().allSatisfy {
        !$0.isEmpty && !$0.hasPrefix("-") && only(String($0), "_.-")
      }
    }
    guard valid, value.count <= 1024 else {
      throw failure("--gres", value, "NAME[:TYPE]:COUNT[,...] with a count >= 1, e.g. gpu:a100:4")
    }
    return value
  }

  /// `[TYPE:]COUNT` with a count >= 1.
  static func gpus(_ value: String?) throws(UsageError) -> String? {
    guard let value else { return nil }
    let parts = value.split(separator: ":", omittingEmptySubsequences: false)
    let typeOK =
      parts.count == 1
      || (parts.count == 2 && !parts[0].isEmpty && only(String(parts[0]), "_.-")
        && !parts[0].hasPrefix("-"))
    guard typeOK, let count = Int(parts.last!), count >= 1, count <= 1024 else {
      throw failure("--gpus-per-task", value, "[TYPE:]COUNT with a count from 1 to 1024")
    }
    return value
  }

  /// Slurm memory, `SIZE[K|M|G|T]` (MiB without a unit), in MiB rounded up.
  static func mebibytes(_ value: String?, option: String, allowZero: Bool) throws(UsageError)
    -> Int?
  {
    guard let value else { return nil }
    let units: [Character: Double] = ["K": 1.0 / 1024, "M": 1, "G": 1024, "T": 1_048_576]
    var digits = Substring(value)
    var scale = 1.0
    if let last = value.last, let unit = units[Character(last.uppercased())] {
      scale = unit
      digits = digits.dropLast()
    }
    guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
      let amount = Double(digits), allowZero || amount > 0
    else {
      throw failure(
        option, value,
        "a memory size like 4096, 512M, 4G or 1T\(allowZero ? " (0: all of a node's memory)" : " above 0")"
      )
    }
    return Int((amount * scale).rounded(.up))
  }

  /// `--mail-type`: events from Slurm's list, comma-separated.
  static func mailTypes(_ value: String?) throws(UsageError) -> String? {
    guard let value else { return nil }
    let events = value.uppercased().split(separator: ",", omittingEmptySubsequences: false)
    guard events.allSatisfy({ mailEvents.contains(String($0)) }) else {
      throw failure(
        "--mail-type", value,
        "events joined by commas from \(mailEvents.sorted().joined(separator: " "))")
    }
    return events.joined(separator: ",")
  }

  /// `--mail-user`: an address or a user name.
  static func mailUser(_ value: String?) throws(UsageError) -> String? {
    guard let value else { return nil }
    let parts = value.split(separator: "@", omittingEmptySubsequences: false)
    let valid =
      (1...2).contains(parts.count) && parts.allSatisfy { !$0.isEmpty && only(String($0), "_.+-") }
      && !value.hasPrefix("-") && value.count <= 256
    guard valid else { throw failure("--mail-user", value, "an address like me@example.org") }
    return value
  }

  /// `--output`: the Slurm log path, made absolute; Slurm's `%` patterns are
  /// kept; the directory must exist (Slurm does not create it and the job
  /// would fail without a word).
  static func logPath(_ value: String?, directory: String) throws(UsageError) -> String? {
    guard let value else { return nil }
    guard !value.isEmpty, !value.hasSuffix("/"), value.count <= 1024, only(value, "_.,:@%+=/-")
    else {
      throw failure(
        "--output", value, "a log file path of letters, digits and _ . , : @ % + = / - (%j: job id)"
      )
    }
    let path = SlurmCommand.absolute(value, from: directory)
    let parent = (path as NSString).deletingLastPathComponent
    var isDirectory: ObjCBool = false
    if !parent.contains("%"),
      !(FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory)
        && isDirectory.boolValue)
    {
      throw UsageError(
        message:
          "scalesweep slurm: --output \(SlurmCommand.visible(value)): directory \(parent) does not exist (Slurm would not create it)"
      )
    }
    return path
  }
}
