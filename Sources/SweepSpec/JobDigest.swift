extension JobSpec {
  /// A 64-bit FNV-1a digest of ``normalizedJSON``, as 16 hex digits: two ranks
  /// (or two runs) with equal digests were given the same job, defaults filled
  /// in. It detects accidental differences (a changed lr, another grid); it is
  /// not a cryptographic hash.
  ///
  /// h₀ = 0xcbf29ce484222325, hᵢ = (hᵢ₋₁ xor byteᵢ) · 0x100000001b3 mod 2⁶⁴.
  public var normalizedDigest: String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in normalizedJSON.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }
}
