import CHDF5Shim
import Foundation

/// An HDF5 call that failed, with what was being done to which object and
/// why: HDF5's error stack, walked when the call failed (it carries the
/// `errno` text of a failed system call, e.g. "No space left on device").
public struct HDF5Error: Error, Equatable, CustomStringConvertible {
  public var operation: String
  public var object: String
  /// HDF5's own account, innermost error first; empty if it gave none.
  public var reason: String

  public init(operation: String, object: String, reason: String = "") {
    self.operation = operation
    self.object = object
    self.reason = reason
  }

  /// The error for a call that has just failed, with HDF5's error stack.
  static func current(_ operation: String, _ object: String) -> HDF5Error {
    HDF5Library.setUp()
    guard let text = ss_h5_error_stack() else {
      return HDF5Error(operation: operation, object: object)
    }
    defer { ss_h5_free(text) }
    return HDF5Error(operation: operation, object: object, reason: String(cString: text))
  }

  /// Whether the file system ran out of space (ENOSPC) or quota (EDQUOT).
  public var isDiskFull: Bool {
    reason.contains("No space left on device") || reason.contains("errno = 28,")
      || reason.contains("Disk quota exceeded") || reason.contains("errno = 122,")
  }

  public var description: String {
    let base = "HDF5 could not \(operation) \(object)"
    if isDiskFull {
      return
        "\(base): the disk is full (\(reason.contains("quota") ? "quota exceeded" : "no space left on device"))"
    }
    guard let innermost = reason.split(separator: ";").first, !innermost.isEmpty else {
      return base
    }
    return "\(base): \(innermost.trimmingCharacters(in: .whitespaces))"
  }
}

/// Process-wide HDF5 settings, applied once before the first call.
enum HDF5Library {
  private static let once: Void = { ss_h5_setup() }()
  static func setUp() { _ = once }
}

/// Element types of datasets, mirroring the shim's `ss_h5_type`.
enum HDF5Type {
  case double, int64, int32

  var shim: ss_h5_type {
    switch self {
    case .double: return SS_H5_DOUBLE
    case .int64: return SS_H5_INT64
    case .int32: return SS_H5_INT32
    }
  }
}

/// An element type that can live in a dataset.
protocol HDF5Element { static var hdf5Type: HDF5Type { get } }
extension Double: HDF5Element { static var hdf5Type: HDF5Type { .double } }
extension Int64: HDF5Element { static var hdf5Type: HDF5Type { .int64 } }
extension Int32: HDF5Element { static var hdf5Type: HDF5Type { .int32 } }

/// A file, group or dataset handle, closed when released.
final class HDF5Object {
  enum Kind { case file, group, dataset }
  let id: Int64
  let kind: Kind
  let name: String

  init(id: Int64, kind: Kind, name: String) {
    self.id = id
    self.kind = kind
    self.name = name
  }

  deinit {
    switch kind {
    case .file: _ = ss_h5_file_close(id)
    case .group: _ = ss_h5_group_close(id)
    case .dataset: _ = ss_h5_dataset_close(id)
    }
  }

  private func check(_ status: Int32, _ operation: String, _ object: String? = nil)
    throws(HDF5Error)
  {
    if status < 0 { throw HDF5Error.current(operation, object ?? name) }
  }

  private func path(_ child: String) -> String {
    name == "/" ? "/\(child)" : "\(name)/\(child)"
  }

  // MARK: Files

  static func createFile(_ path: String) throws(HDF5Error) -> HDF5Object {
    HDF5Library.setUp()
    let id = ss_h5_file_create(path)
    guard id >= 0 else { throw HDF5Error.current("create", path) }
    return HDF5Object(id: id, kind: .file, name: "/")
  }

  static func openFile(_ path: String, writable: Bool) throws(HDF5Error) -> HDF5Object {
    HDF5Library.setUp()
    let id = ss_h5_file_open(path, writable ? 1 : 0)
    guard id >= 0 else { throw HDF5Error.current("open", path) }
    return HDF5Object(id: id, kind: .file, name: "/")
  }

  static func isHDF5(_ path: String) -> Bool {
    HDF5Library.setUp()
    return ss_h5_is_hdf5(path) > 0
  }

  func flush() throws(HDF5Error) { try check(ss_h5_file_flush(id), "flush", "the file") }

  // MARK: Groups and datasets

  func createGroup(_ child: String) throws(HDF5Error) -> HDF5Object {
    let g = ss_h5_group_create(id, child)
    guard g >= 0 else { throw HDF5Error.current("create group", path(child)) }
    return HDF5Object(id: g, kind: .group, name: path(child))
  }

  func openGroup(_ child: String) throws(HDF5Error) -> HDF5Object {
    let g = ss_h5_group_open(id, child)
    guard g >= 0 else { throw HDF5Error.current("open group", path(child)) }
    return HDF5Object(id: g, kind: .group, name: path(child))
  }

  func exists(_ child: String) -> Bool { ss_h5_link_exists(id, child) > 0 }

  func delete(_ child: String) throws(HDF5Error) {
    try check(ss_h5_link_delete(id, child), "delete", path(child))
  }

  /// A contiguous dataset allocated now and filled with `fill`.
  func createDataset<T: HDF5Element>(
    _ child: String, shape: [Int], fill: T
  ) throws(HDF5Error) -> HDF5Object {
    let dims = shape.map { Int64($0) }
    var fillValue = fill
    let d = dims.withUnsafeBufferPointer { dp in
      withUnsafePointer(to: &fillValue) { fp in
        ss_h5_dataset_create(id, child, T.hdf5Type.shim, Int32(dims.count), dp.baseAddress, fp)
      }
    }
    guard d >= 0 else { throw HDF5Error.current("create dataset", path(child)) }
    return HDF5Object(id: d, kind: .dataset, name: path(child))
  }

  /// A 1-D dataset of `count` fixed-length UTF-8 strings of `length` bytes.
  func createStringDataset(_ child: String, count: Int, length: Int) throws(HDF5Error) -> HDF5Object
  {
    let d = ss_h5_string_dataset_create(id, child, Int64(count), Int64(length))
    guard d >= 0 else { throw HDF5Error.current("create dataset", path(child)) }
    return HDF5Object(id: d, kind: .dataset, name: path(child))
  }

  func writeString(_ value: String, at index: Int) throws(HDF5Error) {
    try check(ss_h5_string_dataset_write(id, Int64(index), value), "write")
  }

  /// Every element of a fixed-length string dataset.
  func readStrings() throws(HDF5Error) -> [String] {
    let count = try shape().reduce(1, *)
    var capacity = max(count, 1) * 256
    while true {
      var buffer = [CChar](repeating: 0, count: capacity)
      let length = buffer.withUnsafeMutableBufferPointer {
        ss_h5_string_dataset_read(id, $0.baseAddress, Int64(capacity))
      }
      if length > 0 {
        let l = Int(length)
        return (0..<count).map { i in
          let bytes = buffer[(i * l)..<((i + 1) * l)].prefix { $0 != 0 }.map {
            UInt8(bitPattern: $0)
          }
          return String(decoding: bytes, as: UTF8.self)
        }
      }
      guard capacity < 1 << 28 else { throw HDF5Error.current("read", name) }
      capacity *= 16
    }
  }

  func openDataset(_ child: String) throws(HDF5Error) -> HDF5Object {
    let d = ss_h5_dataset_open(id, child)
    guard d >= 0 else { throw HDF5Error.current("open dataset", path(child)) }
    return HDF5Object(id: d, kind: .dataset, name: path(child))
  }

  /// Dimensions of a dataset.
  func shape() throws(HDF5Error) -> [Int] {
    var dims = [Int64](repeating: 0, count: 8)
    let rank = dims.withUnsafeMutableBufferPointer { ss_h5_dataset_shape(id, $0.baseAddress, 8) }
    guard rank >= 0 else { throw HDF5Error.current("read the shape of", name) }
    return dims.prefix(Int(rank)).map { Int($0) }
  }

  func write<T: HDF5Element>(_ values: [T]) throws(HDF5Error) {
    let status = values.withUnsafeBytes { ss_h5_dataset_write(id, T.hdf5Type.shim, $0.baseAddress) }
    try check(status, "write")
  }

  /// Writes `values` as the block starting at `start` with extent `count`.
  func write<T: HDF5Element>(_ values: [T], start: [Int], count: [Int]) throws(HDF5Error) {
    let s = start.map { Int64($0) }
    let c = count.map { Int64($0) }
    let status = values.withUnsafeBytes { vp in
      s.withUnsafeBufferPointer { sp in
        c.withUnsafeBufferPointer { cp in
          ss_h5_dataset_write_block(
            id, T.hdf5Type.shim, Int32(s.count), sp.baseAddress, cp.baseAddress, vp.baseAddress)
        }
      }
    }
    try check(status, "write")
  }

  /// The whole dataset, converted to `T`.
  func read<T: HDF5Element & Numeric>(_: T.Type) throws(HDF5Error) -> [T] {
    let total = try shape().reduce(1, *)
    var values = [T](repeating: 0, count: total)
    let status = values.withUnsafeMutableBytes {
      ss_h5_dataset_read(id, T.hdf5Type.shim, $0.baseAddress)
    }
    try check(status, "read")
    return values
  }

  // MARK: Attributes

  func setAttribute(_ attribute: String, _ value: String) throws(HDF5Error) {
    try check(ss_h5_attr_write_string(id, attribute, value), "write attribute \(attribute) of")
  }

  func setAttribute(_ attribute: String, _ value: Int64) throws(HDF5Error) {
    try check(ss_h5_attr_write_int64(id, attribute, value), "write attribute \(attribute) of")
  }

  func setAttribute(_ attribute: String, _ value: Double) throws(HDF5Error) {
    try check(ss_h5_attr_write_double(id, attribute, value), "write attribute \(attribute) of")
  }

  func hasAttribute(_ attribute: String) -> Bool { ss_h5_attr_exists(id, attribute) > 0 }

  func stringAttribute(_ attribute: String) throws(HDF5Error) -> String {
    let length = ss_h5_attr_string_length(id, attribute)
    guard length >= 0 else {
      throw HDF5Error.current("read string attribute \(attribute) of", name)
    }
    var buffer = [CChar](repeating: 0, count: Int(length) + 1)
    let status = buffer.withUnsafeMutableBufferPointer {
      ss_h5_attr_read_string(id, attribute, $0.baseAddress, length + 1)
    }
    try check(status, "read string attribute \(attribute) of")
    return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  func integerAttribute(_ attribute: String) throws(HDF5Error) -> Int64 {
    var value: Int64 = 0
    try check(ss_h5_attr_read_int64(id, attribute, &value), "read attribute \(attribute) of")
    return value
  }

  // MARK: Copying

  /// Names of the links of this group, sorted.
  func linkNames() throws(HDF5Error) -> [String] {
    guard let text = ss_h5_link_names(id) else { throw HDF5Error.current("list", name) }
    defer { ss_h5_free(text) }
    return String(cString: text).split(separator: "\n").map(String.init)
  }

  /// Copies the object `child` of this group, with everything below it, into `group`.
  func copy(_ child: String, to group: HDF5Object) throws(HDF5Error) {
    try check(ss_h5_object_copy(id, child, group.id), "copy", path(child))
  }

  /// Copies every attribute of this object that `other` lacks.
  func copyMissingAttributes(to other: HDF5Object) throws(HDF5Error) {
    try check(ss_h5_copy_missing_attributes(id, other.id), "copy the attributes of")
  }

  // MARK: Dimension scales

  func makeDimensionScale(_ label: String) throws(HDF5Error) {
    try check(ss_h5_make_scale(id, label), "make a dimension scale of")
  }

  func attach(scale: HDF5Object, dimension: Int) throws(HDF5Error) {
    try check(ss_h5_attach_scale(id, scale.id, UInt32(dimension)), "attach \(scale.name) to")
  }
}
