import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// How the coordinator and the workers reach each other: arrays of doubles
/// with a tag, point to point. ``Comm`` (MPI) implements it between processes;
/// ``InMemoryNetwork`` implements it between threads, for tests and for rank
/// 0's own worker.
public protocol Transport: AnyObject, Sendable {
  /// This endpoint's rank.
  var rank: Int { get }
  /// Ranks reachable through this transport (ranks are `0..<size`).
  var size: Int { get }
  func send(_ payload: [Double], to destination: Int, tag: Int) throws
  /// The next message for this endpoint, waiting at most `timeout` seconds
  /// (without spinning a core); nil if none arrived in that time.
  func receive(timeout: Double) throws -> Message?
}

/// Seconds on a monotonic clock (any thread; not an MPI call).
public enum MonotonicClock {
  public static var now: Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }

  /// Sleeps `seconds` (a blocking wait that leaves the core to others).
  public static func sleep(_ seconds: Double) {
    guard seconds > 0 else { return }
    var t = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
    var left = timespec()
    while nanosleep(&t, &left) != 0 && errno == EINTR { t = left }
  }
}

/// A wait made of short sleeps: 50 us at first, doubling to `longest` while
/// nothing arrives, and to `patientLongest` once the wait has lasted
/// `patience` seconds. Open MPI's blocking calls poll at full speed (a whole
/// core per waiting rank); this notices a message within about the time it
/// took to come (doubling) and costs at most 1/`longest` probes a second.
struct Backoff {
  var step = 50e-6
  let longest: Double
  let patientLongest: Double
  let patience: Double
  let started = MonotonicClock.now

  init(longest: Double = 1e-3, patientLongest: Double? = nil, patience: Double = .infinity) {
    self.longest = longest
    self.patientLongest = patientLongest ?? longest
    self.patience = patience
  }

  /// The next pause: `step`, doubled for the time after.
  mutating func next() -> Double {
    let cap = MonotonicClock.now - started >= patience ? patientLongest : longest
    defer { step = min(step * 2, cap) }
    return min(step, cap)
  }

  mutating func pause(until deadline: Double) {
    let left = deadline - MonotonicClock.now
    MonotonicClock.sleep(min(next(), max(left, 0)))
  }
}

/// MPI's transport: only the thread that initialised MPI may call it (MPI_THREAD_FUNNELED).
public final class MPITransport: Transport, @unchecked Sendable {
  public let comm: Comm
  public var rank: Int { comm.rank }
  public var size: Int { comm.size }

  public init(comm: Comm) { self.comm = comm }

  public func send(_ payload: [Double], to destination: Int, tag: Int) throws {
    try comm.send(payload, to: destination, tag: tag)
  }

  public func receive(timeout: Double) throws -> Message? {
    try comm.receive(timeout: timeout)
  }
}

extension Comm {
  /// The next message from any rank, probing with ``Backoff`` sleeps until
  /// `timeout` seconds have passed.
  public func receive(timeout: Double) throws(CommError) -> Message? {
    let deadline = MonotonicClock.now + timeout
    var backoff = Backoff()
    while true {
      if let message = try poll() { return message }
      if MonotonicClock.now >= deadline { return nil }
      backoff.pause(until: deadline)
    }
  }
}

/// One endpoint's inbox between threads.
final class Mailbox: @unchecked Sendable {
  private let condition = NSCondition()
  private var messages: [Message] = []
  private var head = 0

  func put(_ message: Message) {
    condition.lock()
    messages.append(message)
    condition.signal()
    condition.unlock()
  }

  func take(timeout: Double) -> Message? {
    condition.lock()
    defer { condition.unlock() }
    let deadline = Date(timeIntervalSinceNow: max(timeout, 0))
    while head == messages.count {
      if !condition.wait(until: deadline) { break }
    }
    guard head < messages.count else { return nil }
    let message = messages[head]
    head += 1
    if head > 1024 && head * 2 > messages.count {
      messages.removeFirst(head)
      head = 0
    }
    return message
  }
}

/// Ranks as threads of one process: every endpoint has an inbox; sending puts
/// the message in the destination's inbox. A rank can be cut off (a lost host):
/// what it sends and what is sent to it then vanish.
public final class InMemoryNetwork: @unchecked Sendable {
  private let inboxes: [Mailbox]
  private let lock = NSLock()
  private var cut: Set<Int> = []

  public init(size: Int) {
    inboxes = (0..<size).map { _ in Mailbox() }
  }

  public var size: Int { inboxes.count }

  public func endpoint(_ rank: Int) -> Endpoint { Endpoint(network: self, rank: rank) }

  /// From now on, nothing reaches `rank` and nothing from it arrives.
  public func disconnect(_ rank: Int) {
    lock.lock()
    cut.insert(rank)
    lock.unlock()
  }

  func deliver(_ message: Message, to destination: Int) {
    lock.lock()
    let dropped = cut.contains(destination) || cut.contains(message.source)
    lock.unlock()
    if !dropped { inboxes[destination].put(message) }
  }

  func take(rank: Int, timeout: Double) -> Message? { inboxes[rank].take(timeout: timeout) }

  public final class Endpoint: Transport, @unchecked Sendable {
    let network: InMemoryNetwork
    public let rank: Int
    public var size: Int { network.size }

    init(network: InMemoryNetwork, rank: Int) {
      self.network = network
      self.rank = rank
    }

    public func send(_ payload: [Double], to destination: Int, tag: Int) throws {
      guard destination >= 0 && destination < network.size else {
        throw CommError(operation: "send to rank \(destination)", code: -1)
      }
      network.deliver(Message(source: rank, tag: tag, payload: payload), to: destination)
    }

    public func receive(timeout: Double) throws -> Message? {
      network.take(rank: rank, timeout: timeout)
    }
  }
}

/// Rank 0's two roles in one process: the coordinator (on the MPI thread)
/// and a worker (on its own thread). Messages between them go through
/// inboxes; the coordinator reaches every other rank through `remote`.
public final class LoopbackTransport: @unchecked Sendable {
  let remote: any Transport
  let toCoordinator = Mailbox()
  let toWorker = Mailbox()

  public init(remote: any Transport) { self.remote = remote }

  /// The coordinator's side: rank 0 is the local worker, others are remote.
  public var coordinator: any Transport { CoordinatorSide(owner: self) }
  /// The local worker's side: everything it sends goes to the coordinator.
  public var worker: any Transport { WorkerSide(owner: self) }

  final class CoordinatorSide: Transport, @unchecked Sendable {
    let owner: LoopbackTransport
    init(owner: LoopbackTransport) { self.owner = owner }
    var rank: Int { 0 }
    var size: Int { owner.remote.size }

    func send(_ payload: [Double], to destination: Int, tag: Int) throws {
      if destination == 0 {
        owner.toWorker.put(Message(source: 0, tag: tag, payload: payload))
      } else {
        try owner.remote.send(payload, to: destination, tag: tag)
      }
    }

    func receive(timeout: Double) throws -> Message? {
      let deadline = MonotonicClock.now + timeout
      var step = 50e-6
      while true {
        if owner.remote.size > 1, let message = try owner.remote.receive(timeout: 0) {
          return message
        }
        // Sleeping on the local inbox: the local worker's messages wake it at once.
        let left = deadline - MonotonicClock.now
        if let local = owner.toCoordinator.take(timeout: max(0, min(step, left))) { return local }
        if MonotonicClock.now >= deadline { return nil }
        step = min(step * 2, 1e-3)
      }
    }
  }

  final class WorkerSide: Transport, @unchecked Sendable {
    let owner: LoopbackTransport
    init(owner: LoopbackTransport) { self.owner = owner }
    var rank: Int { 0 }
    var size: Int { owner.remote.size }

    func send(_ payload: [Double], to destination: Int, tag: Int) throws {
      owner.toCoordinator.put(Message(source: 0, tag: tag, payload: payload))
    }

    func receive(timeout: Double) throws -> Message? {
      owner.toWorker.take(timeout: timeout)
    }
  }
}
