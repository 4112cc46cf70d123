import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Who holds a results file's lock: host and process, as the holder wrote them.
public struct LockHolder: Sendable, Equatable, CustomStringConvertible {
  public var host: String
  public var pid: Int

  public var description: String {
    host.isEmpty ? "an unknown process" : "host \(host), pid \(pid)"
  }
}

/// One writer per results file, across processes and hosts.
///
/// The lock is a POSIX record lock (`fcntl(F_SETLK)`) on a sidecar file
/// `FILE.h5.lock`, never on the results file itself, because:
/// - the results file is replaced by `rename` (creation, `--force`, `frontier
///   --write`), and a lock on a file that gets renamed over protects nothing:
///   the sidecar's path never changes while it is held;
/// - `fcntl` locks are the ones network and cluster file systems implement
///   (NFS through its lock manager, Lustre with `-o flock`, GPFS, BeeGFS);
///   `flock`, which HDF5's own file locking uses, is emulated or disabled on
///   several of them (hence `HDF5_USE_FILE_LOCKING=FALSE` on many clusters);
/// - the kernel (or the NFS lock manager) drops the lock when its process
///   dies, even by `kill -9`, so a crashed run never leaves the file locked.
///
/// The holder writes "host pid" into the sidecar so a refused run can say who
/// holds it (the lock's own pid is meaningless across hosts). A POSIX lock
/// belongs to the process and is dropped when *any* descriptor of the file
/// is closed, so this process opens the sidecar only through the lock it holds.
public final class ResultsFileLock {
  public let path: String
  let lockPath: String
  private var descriptor: Int32

  private init(path: String, lockPath: String, descriptor: Int32) {
    self.path = path
    self.lockPath = lockPath
    self.descriptor = descriptor
  }

  deinit { release() }

  /// The sidecar lock file of the results file `path`, beside the file a
  /// symbolic link points to (a link and its target share one lock).
  public static func lockPath(for path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path + ".lock" }
    defer { free(resolved) }
    return String(cString: resolved) + ".lock"
  }

  /// Takes the lock of `path` without waiting; refuses with
  /// ``ResultsError/inUse(path:holder:)`` when another process holds it.
  /// Of two processes racing for it, exactly one gets it.
  public static func acquire(for path: String) throws(ResultsError) -> ResultsFileLock {
    let lockPath = lockPath(for: path)
    // A releasing holder unlinks the sidecar: a lock taken on an unlinked
    // sidecar is worthless, so check that it is still the one at lockPath.
    for _ in 0..<100 {
      let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
      guard fd >= 0 else {
        throw .lockFailed(path: path, reason: "cannot open \(lockPath): \(errorText())")
      }
      var request = flock()
      request.l_type = Int16(F_WRLCK)
      request.l_whence = Int16(SEEK_SET)
      if fcntl(fd, F_SETLK, &request) != 0 {
        let code = errno
        close(fd)
        if code == EACCES || code == EAGAIN {
          throw .inUse(path: path, holder: holder(of: path)?.description ?? "another process")
        }
        throw .lockFailed(path: path, reason: "cannot lock \(lockPath): \(errorText(code))")
      }
      var held = stat()
      var named = stat()
      guard fstat(fd, &held) == 0, stat(lockPath, &named) == 0,
        held.st_ino == named.st_ino && held.st_dev == named.st_dev
      else {
        close(fd)
        continue
      }
      let text = "\(ProcessInfo.processInfo.hostName) \(getpid())\n"
      _ = ftruncate(fd, 0)
      _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
      return ResultsFileLock(path: path, lockPath: lockPath, descriptor: fd)
    }
    throw .lockFailed(path: path, reason: "\(lockPath) keeps being replaced")
  }

  /// Removes the sidecar and drops the lock (also when released by deinit).
  public func release() {
    guard descriptor >= 0 else { return }
    unlink(lockPath)
    close(descriptor)
    descriptor = -1
  }

  /// The live holder of `path`'s lock, or nil when no process holds it.
  /// Must not be called for a path this process holds (closing any
  /// descriptor of the sidecar would drop its own lock).
  public static func holder(of path: String) -> LockHolder? {
    let lockPath = lockPath(for: path)
    let fd = open(lockPath, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var probe = flock()
    probe.l_type = Int16(F_WRLCK)
    probe.l_whence = Int16(SEEK_SET)
    guard fcntl(fd, F_GETLK, &probe) == 0, probe.l_type != Int16(F_UNLCK) else { return nil }
    var bytes = [UInt8](repeating: 0, count: 512)
    let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 511, 0) }
    let words = String(decoding: bytes.prefix(max(count, 0)), as: UTF8.self)
      .split(whereSeparator: { $0 == " " || $0 == "\n" })
    if words.count == 2, let pid = Int(words[1]) {
      return LockHolder(host: String(words[0]), pid: pid)
    }
    return LockHolder(host: "", pid: Int(probe.l_pid))
  }

  /// Removes `FILE.partial-*` files beside `path`: only the lock holder makes
  /// them, so while the lock is held every one is left over by a dead process
  /// (kill -9 during creation), on whichever host it ran.
  public func removeStalePartialFiles() {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent().path
    let prefix = url.lastPathComponent + ".partial-"
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
      return
    }
    for name in names where name.hasPrefix(prefix) {
      try? FileManager.default.removeItem(
        atPath: (directory as NSString).appendingPathComponent(name))
    }
  }

  private static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
}
