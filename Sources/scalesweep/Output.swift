import Distributed
import Foundation

/// Terminal output that survives a killed job (every line is written at
/// once) and a closed reader (``StandardStreams``), and never prints a
/// control character raw (``TerminalText``): names, keys and paths from job
/// and results files may contain any.
enum Output {
  /// One line: a newline inside `text` is printed as `\n`.
  static func line(_ text: String) {
    StandardStreams.write(TerminalText.line(text) + "\n")
  }

  /// Several lines (help, reports, JSON, scripts): newlines kept, other
  /// control characters escaped.
  static func block(_ text: String) {
    StandardStreams.write(TerminalText.block(text) + "\n")
  }

  static func error(_ text: String) {
    StandardStreams.write("error: " + TerminalText.line(text) + "\n", toError: true)
  }

  static func warning(_ text: String) {
    StandardStreams.write("warning: " + TerminalText.line(text) + "\n", toError: true)
  }

  /// `2.5` -> `2.5 s`.
  static func seconds(_ value: Double) -> String {
    value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
  }

  /// JSON text of a dictionary tree, keys sorted (for `--json` outputs).
  static func json(_ object: Any) -> String {
    guard
      let data = try? JSONSerialization.data(
        withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    else { return "{}" }
    return String(decoding: data, as: UTF8.self)
  }

  /// The MPI rank as the launcher announces it, before MPI is initialised;
  /// 0 when not launched by mpirun or srun.
  static var launcherRank: Int { Launcher.rank() ?? 0 }

  /// Total memory of this machine in bytes (Linux /proc/meminfo), if known.
  static var machineMemory: Double? {
    guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else {
      return nil
    }
    for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
      let parts = line.split(separator: " ")
      if parts.count >= 2, let kb = Double(parts[1]) { return kb * 1024 }
    }
    return nil
  }
}
