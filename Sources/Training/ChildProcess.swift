import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A program started directly (no shell) in its own process group, with its
/// stdout and stderr on pipes and stdin on /dev/null.
///
/// Its own group lets a stop reach everything the program started
/// (data-loader workers, `torchrun` children): ``terminate(grace:drain:)``
/// sends SIGTERM to the group, then SIGKILL after the grace period.
final class ChildProcess {
  let pid: pid_t
  /// Read ends, non-blocking; -1 once closed.
  var stdout: Int32
  var stderr: Int32
  /// `waitpid` status once reaped.
  private(set) var exitStatus: Int32?

  struct SpawnError: Error, CustomStringConvertible {
    var program: String
    var code: Int32
    var description: String { "cannot start \(program): \(String(cString: strerror(code)))" }
  }

  init(argv: [String], environment: [String: String]) throws {
    var outPipe: [Int32] = [-1, -1]
    var errPipe: [Int32] = [-1, -1]
    // MPI sockets and the results file stay with us: every descriptor this
    // process holds is marked close-on-exec (the pipe ends too, until dup2).
    Self.markCloseOnExec()
    guard pipe(&outPipe) == 0 else { throw SpawnError(program: argv[0], code: errno) }
    guard pipe(&errPipe) == 0 else {
      let code = errno
      close(outPipe[0])
      close(outPipe[1])
      throw SpawnError(program: argv[0], code: code)
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
    for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for s in [SIGTERM, SIGINT, SIGUSR1, SIGPIPE, SIGHUP] { sigaddset(&defaults, s) }
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setpgroup(&attributes, 0)
    posix_spawnattr_setflags(
      &attributes,
      Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    let cArguments = argv.map { strdup($0) } + [nil]
    let cEnvironment =
      environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") }
      + [nil]
    defer {
      for p in cArguments { free(p) }
      for p in cEnvironment { free(p) }
    }
    var child: pid_t = 0
    let code = posix_spawnp(&child, argv[0], &actions, &attributes, cArguments, cEnvironment)
    close(outPipe[1])
    close(errPipe[1])
    guard code == 0 else {
      close(outPipe[0])
      close(errPipe[0])
      throw SpawnError(program: argv[0], code: code)
    }
    pid = child
    stdout = outPipe[0]
    stderr = errPipe[0]
    for fd in [stdout, stderr] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
  }

  /// Sets FD_CLOEXEC on every open descriptor above 2 (`/proc/self/fd`).
  static func markCloseOnExec() {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else {
      return
    }
    for name in names {
      guard let fd = Int32(name), fd > 2 else { continue }
      let flags = fcntl(fd, F_GETFD)
      if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
    }
  }

  /// Kills (SIGKILL, with their process groups) the processes on this node
  /// whose environment holds `entry` exactly (`NAME=value`): the programs of a
  /// cell whose ScaleSweep was killed with -9 (a spawned program cannot be
  /// tied to its parent's death), before the cell runs again.
  static func killLeftovers(environment entry: String) {
    let wanted = Array(entry.utf8)
    let me = getpid()
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for name in entries {
      guard let pid = Int32(name), pid != me,
        let data = FileManager.default.contents(atPath: "/proc/\(name)/environ")
      else { continue }
      let matches = data.split(separator: 0, omittingEmptySubsequences: true).contains {
        $0.elementsEqual(wanted)
      }
      guard matches else { continue }
      let group = getpgid(pid)
      if group > 1 && group != getpgrp() { kill(-group, SIGKILL) }
      kill(pid, SIGKILL)
    }
  }

  deinit {
    closePipes()
    if exitStatus == nil {
      kill(-pid, SIGKILL)
      var status: Int32 = 0
      waitpid(pid, &status, 0)
    }
  }

  func closePipes() {
    if stdout >= 0 { close(stdout) }
    if stderr >= 0 { close(stderr) }
    stdout = -1
    stderr = -1
  }

  /// Whether the program has ended (reaping it if so).
  @discardableResult
  func reap(blocking: Bool = false) -> Bool {
    if exitStatus != nil { return true }
    var status: Int32 = 0
    let r = waitpid(pid, &status, blocking ? 0 : WNOHANG)
    if r == pid {
      exitStatus = status
      // Whatever the program left behind in its group goes with it.
      kill(-pid, SIGKILL)
      return true
    }
    return false
  }

  /// Waits up to `timeout` seconds for output; returns chunks read from
  /// stdout and stderr (empty when nothing came). Closes a pipe at its end.
  func read(timeout: Double) -> (out: [UInt8], err: [UInt8]) {
    var fds = [stdout, stderr].filter { $0 >= 0 }.map {
      pollfd(fd: $0, events: Int16(POLLIN), revents: 0)
    }
    guard !fds.isEmpty else {
      // Pipes closed: the program is exiting; look again soon.
      if timeout > 0 { usleep(UInt32(min(timeout, 0.0005) * 1e6)) }
      return ([], [])
    }
    let ready = poll(&fds, nfds_t(fds.count), Int32((timeout * 1000).rounded(.up)))
    guard ready > 0 else { return ([], []) }
    var out: [UInt8] = []
    var err: [UInt8] = []
    for entry in fds where entry.revents != 0 {
      var buffer = [UInt8](repeating: 0, count: 65536)
      while true {
        let n = Glibc.read(entry.fd, &buffer, buffer.count)
        if n > 0 {
          if entry.fd == stdout { out += buffer[0..<n] } else { err += buffer[0..<n] }
          if n < buffer.count { break }
        } else {
          if n == 0 || (errno != EAGAIN && errno != EINTR) {
            close(entry.fd)
            if entry.fd == stdout { stdout = -1 } else { stderr = -1 }
          }
          break
        }
      }
    }
    return (out, err)
  }

  /// Ends the whole process group: SIGTERM, then SIGKILL once `grace`
  /// seconds pass. `drain` receives output meanwhile (so a full pipe never
  /// blocks a program that is shutting down).
  func terminate(grace: Double, drain: (_ out: [UInt8], _ err: [UInt8]) -> Void) {
    guard !reap() else { return }
    kill(-pid, SIGTERM)
    let deadline = Date().addingTimeInterval(grace)
    while Date() < deadline {
      let chunk = read(timeout: 0.01)
      drain(chunk.out, chunk.err)
      if reap() { return }
    }
    kill(-pid, SIGKILL)
    reap(blocking: true)
  }
}
