import CMPIShim

/// An MPI call that failed.
public struct CommError: Error, Equatable, CustomStringConvertible {
  public var operation: String
  public var code: Int32
  public var description: String { "MPI \(operation) failed (error code \(code))" }
}

/// A message between ranks: a tag and an array of doubles.
public struct Message: Sendable {
  public var source: Int
  public var tag: Int
  public var payload: [Double]
}

/// The ranks of `MPI_COMM_WORLD`. Running without mpirun is a valid one-rank world.
public struct Comm: Sendable {
  public let rank: Int
  public let size: Int

  /// Initialises MPI once per process. Never finalise inside tests: MPI cannot
  /// be initialised again.
  public static func world() throws(CommError) -> Comm {
    let status = ss_mpi_init()
    guard status == 0 else { throw CommError(operation: "initialisation", code: status) }
    return Comm(rank: Int(ss_mpi_rank()), size: Int(ss_mpi_size()))
  }

  public var hostName: String {
    var buffer = [CChar](repeating: 0, count: 256)
    _ = buffer.withUnsafeMutableBufferPointer { ss_mpi_processor_name($0.baseAddress, 256) }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Seconds since an arbitrary origin (`MPI_Wtime`).
  public static var time: Double { ss_mpi_wtime() }

  /// Sends `payload`; one MPI message holds at most `Int32.max` elements
  /// (MPI's count is a C int), so a larger payload throws instead of trapping.
  public func send(_ payload: [Double], to destination: Int, tag: Int) throws(CommError) {
    let count = try Comm.messageCount(payload.count, to: destination)
    guard let rank = Int32(exactly: destination), let messageTag = Int32(exactly: tag) else {
      throw CommError(operation: "send to rank \(destination) with tag \(tag)", code: -1)
    }
    let status = payload.withUnsafeBufferPointer {
      ss_mpi_send_doubles($0.baseAddress, count, rank, messageTag)
    }
    guard status == 0 else {
      throw CommError(operation: "send to rank \(destination)", code: status)
    }
  }

  /// `count` as MPI's C `int` element count, or an error above `Int32.max`.
  public static func messageCount(_ count: Int, to destination: Int) throws(CommError) -> Int32 {
    guard let value = Int32(exactly: count) else {
      throw CommError(
        operation:
          "send of \(count) values to rank \(destination) (one message holds at most \(Int32.max))",
        code: -1)
    }
    return value
  }

  /// A waiting message, if any, without blocking.
  public func poll(from source: Int? = nil, tag: Int? = nil) throws(CommError) -> Message? {
    var flag: Int32 = 0
    var from: Int32 = 0
    var messageTag: Int32 = 0
    var count: Int32 = 0
    let status = ss_mpi_iprobe(
      Int32(source ?? -1), Int32(tag ?? -1), &flag, &from, &messageTag, &count)
    guard status == 0 else { throw CommError(operation: "probe", code: status) }
    guard flag != 0 else { return nil }
    return try receive(from: Int(from), tag: Int(messageTag), count: Int(count))
  }

  /// The next message, blocking until one arrives.
  public func receive(from source: Int? = nil, tag: Int? = nil) throws(CommError) -> Message {
    var from: Int32 = 0
    var messageTag: Int32 = 0
    var count: Int32 = 0
    let status = ss_mpi_probe(Int32(source ?? -1), Int32(tag ?? -1), &from, &messageTag, &count)
    guard status == 0 else { throw CommError(operation: "probe", code: status) }
    return try receive(from: Int(from), tag: Int(messageTag), count: Int(count))
  }

  private func receive(from source: Int, tag: Int, count: Int) throws(CommError) -> Message {
    var payload = [Double](repeating: 0, count: count)
    let status = payload.withUnsafeMutableBufferPointer {
      ss_mpi_recv_doubles(
        $0.baseAddress, Int32(count), Int32(source), Int32(tag), nil, nil, nil)
    }
    guard status == 0 else {
      throw CommError(operation: "receive from rank \(source)", code: status)
    }
    return Message(source: source, tag: tag, payload: payload)
  }

  public func barrier() throws(CommError) {
    let status = ss_mpi_barrier()
    guard status == 0 else { throw CommError(operation: "barrier", code: status) }
  }

  /// Ends every rank of the job at once (a rank that cannot go on).
  public func abort(code: Int32) -> Never {
    _ = ss_mpi_abort(code)
    exit(code)
  }

  public func finalize() { _ = ss_mpi_finalize() }
}

#if canImport(Glibc)
  import Glibc
#endif

extension Comm {
  /// Gathers each rank's bytes on rank 0 (in rank order); other ranks get `[]`.
  public func gatherBytes(_ bytes: [UInt8], tag: Int = 90) throws(CommError) -> [[UInt8]] {
    if rank != 0 {
      try send(bytes.map { Double($0) }, to: 0, tag: tag)
      return []
    }
    var out: [[UInt8]] = [bytes]
    for source in 1..<max(size, 1) {
      let message = try receive(from: source, tag: tag)
      out.append(message.payload.map { UInt8($0) })
    }
    return out
  }
}
