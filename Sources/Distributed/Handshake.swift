import Foundation

/// Who a rank is and what it was asked to do, exchanged once at start.
///
/// The first four fields must agree on every rank (``Handshake/check(_:)``);
/// the rest say where the rank runs, for the results file's provenance.
public struct RankIdentity: Codable, Sendable, Equatable {
  public var rank: Int
  public var toolVersion: String
  /// The job file as given on this rank's command line (for the message only).
  public var jobFile: String
  /// ``SweepSpec/JobSpec/normalizedDigest`` of the job this rank loaded.
  public var jobDigest: String
  /// The output path, made absolute against this rank's working directory.
  public var outputPath: String
  public var host: String
  public var pid: Int
  public var cpuModel: String
  public var blasLibrary: String
  public var blasVersion: String
  public var blasKernel: String

  public init(
    rank: Int, toolVersion: String, jobFile: String, jobDigest: String, outputPath: String,
    host: String, pid: Int, cpuModel: String, blasLibrary: String, blasVersion: String,
    blasKernel: String
  ) {
    self.rank = rank
    self.toolVersion = toolVersion
    self.jobFile = jobFile
    self.jobDigest = jobDigest
    self.outputPath = outputPath
    self.host = host
    self.pid = pid
    self.cpuModel = cpuModel
    self.blasLibrary = blasLibrary
    self.blasVersion = blasVersion
    self.blasKernel = blasKernel
  }
}

/// Ranks that were started on different jobs, outputs or tool versions.
public struct HandshakeMismatch: Error, Equatable, CustomStringConvertible {
  /// The first rank that differs from rank 0 (-1 on a rank told by rank 0).
  public var rank: Int
  /// What differs, e.g. "job (slowB.json, digest 1f.. vs slow.json, digest 9a..)".
  public var differences: [String]

  public var description: String {
    guard rank >= 0 else { return "ranks were started on different jobs; rank 0 says what differs" }
    return
      "rank \(rank) was not started like rank 0: \(differences.joined(separator: "; ")); refused on every rank"
  }
}

/// The start-up check that every rank runs the same job into the same file
/// with the same tool, and the identities it gathers.
///
/// Every rank sends its ``RankIdentity`` to rank 0 right after MPI starts;
/// rank 0 compares them and sends every rank a verdict, so a mismatch stops
/// every rank before any file is touched or any cell trained.
public enum Handshake {
  static let identityTag = 92
  static let verdictTag = 93

  /// The first rank that differs from rank 0 in tool version, job or output,
  /// and how; nil when all agree. Pure, so testable without MPI.
  public static func check(_ identities: [RankIdentity]) -> HandshakeMismatch? {
    guard let first = identities.first else { return nil }
    for other in identities.dropFirst() {
      var differences: [String] = []
      if other.toolVersion != first.toolVersion {
        differences.append(
          "tool version (scalesweep \(other.toolVersion) vs \(first.toolVersion))")
      }
      if other.jobDigest != first.jobDigest {
        differences.append(
          "job (\(other.jobFile), digest \(other.jobDigest) vs \(first.jobFile), digest \(first.jobDigest))"
        )
      }
      if other.outputPath != first.outputPath {
        differences.append("output (\(other.outputPath) vs \(first.outputPath))")
      }
      if !differences.isEmpty {
        return HandshakeMismatch(rank: other.rank, differences: differences)
      }
    }
    return nil
  }

  /// Ranks grouped by BLAS kernel, when more than one kernel is in use: for a
  /// warning that results will not be bit-identical across them.
  public static func kernelSplit(_ identities: [RankIdentity]) -> [String: [Int]]? {
    let groups = Dictionary(grouping: identities, by: \.blasKernel).mapValues { $0.map(\.rank) }
    return groups.count > 1 ? groups : nil
  }

  /// Exchanges identities: rank 0 returns every rank's (in rank order), other
  /// ranks their own. Throws ``HandshakeMismatch`` on every rank when rank 0
  /// finds a difference.
  public static func exchange(_ mine: RankIdentity, comm: Comm) throws -> [RankIdentity] {
    let encoded = try JSONEncoder().encode(mine)
    if comm.rank != 0 {
      _ = try comm.gatherBytes(Array(encoded), tag: identityTag)
      let verdict = try comm.receive(from: 0, tag: verdictTag)
      if verdict.payload.first != 0 { throw HandshakeMismatch(rank: -1, differences: []) }
      return [mine]
    }
    let gathered = try comm.gatherBytes(Array(encoded), tag: identityTag)
    let decoder = JSONDecoder()
    var identities: [RankIdentity] = []
    var mismatch: HandshakeMismatch?
    for (rank, bytes) in gathered.enumerated() {
      guard let identity = try? decoder.decode(RankIdentity.self, from: Data(bytes)) else {
        // Another build of the tool: say so instead of leaving the ranks waiting.
        mismatch = HandshakeMismatch(
          rank: rank, differences: ["tool version (its start-up message is not this version's)"])
        break
      }
      identities.append(identity)
    }
    mismatch = mismatch ?? check(identities)
    for rank in 1..<max(comm.size, 1) {
      try comm.send([mismatch == nil ? 0 : 1], to: rank, tag: verdictTag)
    }
    if let mismatch { throw mismatch }
    return identities
  }
}
