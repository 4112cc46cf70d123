#if canImport(Glibc)
  import Glibc
#endif

/// Writes to standard output and error that never end a run.
///
/// SIGPIPE is ignored (``StopSignal/install()``), so a reader that went away
/// (`scalesweep run ... | head -2`, a closed terminal) makes `write` fail
/// with EPIPE or EIO instead of killing the process; such failures are
/// dropped and the run goes on writing its results file.
public enum StandardStreams {
  public static func write(_ text: String, toError: Bool = false) {
    let fd: Int32 = toError ? 2 : 1
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeMutableBytes {
        Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset)
      }
      if n > 0 {
        offset += n
      } else if n < 0 && errno == EINTR {
        continue
      } else {
        return  // EPIPE, EIO, EBADF: nobody reads; the run goes on
      }
    }
  }
}
