/// A cell's stored results reduced to 64 bits, written with them and checked
/// on every read, so that damage to the raw data (a flipped byte on disk, an
/// editor, a bad copy) is noticed instead of fitted.
///
/// FNV-1a (64-bit) over, in order: status (int32), seconds (float64 bits),
/// rank (int32), diverged step (int64), loss floor (float64 bits), source
/// budget (int64), the error
/// text's UTF-8 bytes and its length, then the test and the train loss rows
/// (float64 bits, one value per `/steps` column); every number little-endian.
/// It detects accidental damage, not deliberate forgery.
public struct CellChecksum: Equatable, Sendable {
  public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

  public init(
    status: Int32, seconds: Double, rank: Int32, divergedStep: Int64, lossFloor: Double,
    sourceBudget: Int64, error: String, testLoss: [Double], trainLoss: [Double]
  ) {
    add(UInt64(UInt32(bitPattern: status)), bytes: 4)
    add(seconds.bitPattern, bytes: 8)
    add(UInt64(UInt32(bitPattern: rank)), bytes: 4)
    add(UInt64(bitPattern: divergedStep), bytes: 8)
    add(lossFloor.bitPattern, bytes: 8)
    add(UInt64(bitPattern: sourceBudget), bytes: 8)
    for byte in error.utf8 { add(UInt64(byte), bytes: 1) }
    add(UInt64(error.utf8.count), bytes: 8)
    for x in testLoss { add(x.bitPattern, bytes: 8) }
    for x in trainLoss { add(x.bitPattern, bytes: 8) }
  }

  /// The value as stored in `/cells/checksum` (int64, same bits).
  public var stored: Int64 { Int64(bitPattern: value) }

  private mutating func add(_ word: UInt64, bytes: Int) {
    for i in 0..<bytes {
      value ^= (word >> (8 * UInt64(i))) & 0xff
      value = value &* 0x0000_0100_0000_01b3
    }
  }
}
