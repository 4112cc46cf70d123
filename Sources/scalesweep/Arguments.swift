import SweepSpec

/// A command-line mistake: printed as one line, exit status 2.
struct UsageError: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}

/// Parsed arguments of one subcommand: positionals, `--flag`s and `--option value`s.
struct Arguments {
  private(set) var positionals: [String] = []
  private var flags: Set<String> = []
  private var options: [String: String] = [:]
  /// Every value of each option, in order (a repeated option's last value is in `options`).
  private var repeated: [String: [String]] = [:]

  /// `flagNames` take no value; `optionNames` take one (given again, the last
  /// wins, except for `repeatable` options, which keep every value). Anything
  /// else is an error.
  init(
    _ words: [String], command: String, flags flagNames: Set<String>,
    options optionNames: Set<String>, repeatable: Set<String> = []
  )
    throws(UsageError)
  {
    let optionNames = optionNames.union(repeatable)
    var i = 0
    while i < words.count {
      let word = words[i]
      if word.hasPrefix("--") {
        var name = word
        var inlineValue: String?
        if let eq = word.firstIndex(of: "=") {
          name = String(word[..<eq])
          inlineValue = String(word[word.index(after: eq)...])
        }
        if flagNames.contains(name) && inlineValue == nil {
          flags.insert(name)
        } else if optionNames.contains(name) {
          if let inlineValue {
            options[name] = inlineValue
          } else {
            guard i + 1 < words.count else {
              throw UsageError(message: "scalesweep \(command): \(name) needs a value")
            }
            i += 1
            options[name] = words[i]
          }
          repeated[name, default: []].append(options[name]!)
        } else {
          throw UsageError(
            message:
              "scalesweep \(command): unknown option \(name) (see scalesweep \(command) --help)")
        }
      } else {
        positionals.append(word)
      }
      i += 1
    }
  }

  func has(_ flag: String) -> Bool { flags.contains(flag) }
  func value(_ option: String) -> String? { options[option] }
  /// Every value given to a repeatable option, in order.
  func values(_ option: String) -> [String] { repeated[option] ?? [] }

  /// The job file (the one positional) read with every `--set KEY=VALUE` applied.
  func job(command: String) throws -> (path: String, job: JobSpec, overrides: [JobOverride]) {
    let path = try single("job file", command: command)
    var overrides: [JobOverride] = []
    for text in values("--set") { overrides.append(try JobOverride(text)) }
    return (path, try JobSpec.load(path: path, overrides: overrides), overrides)
  }

  func integer(_ option: String, command: String, in range: ClosedRange<Int>) throws(UsageError)
    -> Int?
  {
    guard let text = options[option] else { return nil }
    guard let v = Int(text), range.contains(v) else {
      throw UsageError(
        message:
          "scalesweep \(command): \(option) \(text): expected an integer from \(range.lowerBound) to \(range.upperBound)"
      )
    }
    return v
  }

  func number(_ option: String, command: String, atLeast lower: Double) throws(UsageError)
    -> Double?
  {
    guard let text = options[option] else { return nil }
    guard let v = Double(text), v.isFinite, v >= lower else {
      throw UsageError(
        message: "scalesweep \(command): \(option) \(text): expected a number >= \(lower)")
    }
    return v
  }

  /// Exactly one positional argument, named `what` in the error.
  func single(_ what: String, command: String) throws(UsageError) -> String {
    guard positionals.count == 1 else {
      throw UsageError(
        message: positionals.isEmpty
          ? "scalesweep \(command): missing \(what) (see scalesweep \(command) --help)"
          : "scalesweep \(command): expected one \(what), got \(positionals.count) arguments")
    }
    return positionals[0]
  }
}
