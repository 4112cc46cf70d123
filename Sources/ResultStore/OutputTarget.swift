import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// What `--out` may name: a new path, or an existing regular file (replaced
/// only with `--force`). Devices, directories, pipes, sockets and symbolic
/// links are never replaced (root could otherwise turn `/dev/null` into a
/// file), and neither is the job file itself.
public enum OutputTarget {
  /// Refuses `path` if it exists as anything but a regular file, or is the
  /// same file as one of `protecting`.
  public static func check(_ path: String, protecting: [String]) throws(ResultsError) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }  // a new file
    let kind = info.st_mode & S_IFMT
    guard kind == S_IFREG else {
      throw .notReplaceable(
        path: path, reason: "it is \(describe(kind)), and only a regular file is ever replaced")
    }
    for other in protecting {
      var protected = stat()
      if stat(other, &protected) == 0 && protected.st_dev == info.st_dev
        && protected.st_ino == info.st_ino
      {
        throw .notReplaceable(path: path, reason: "it is the job file \(other)")
      }
    }
  }

  /// Refuses a file to continue (`--resume`) that is not a regular file
  /// (a link to one is followed: it is written in place, not replaced).
  public static func checkExisting(_ path: String) throws(ResultsError) {
    var info = stat()
    guard stat(path, &info) == 0 else { return }  // ResultsFile.read says it is missing
    let kind = info.st_mode & S_IFMT
    guard kind == S_IFREG else {
      throw .notReplaceable(path: path, reason: "it is \(describe(kind)), not a results file")
    }
  }

  /// Whether anything (even a dangling link) exists at `path`.
  public static func exists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
  }

  private static func describe(_ kind: mode_t) -> String {
    switch kind {
    case S_IFDIR: return "a directory"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFIFO: return "a named pipe"
    case S_IFSOCK: return "a socket"
    case S_IFLNK: return "a symbolic link"
    default: return "not a regular file"
    }
  }
}
