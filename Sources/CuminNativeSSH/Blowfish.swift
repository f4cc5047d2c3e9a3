import Crypto

/// Blowfish with the "expensive key schedule" that bcrypt needs: just enough of it for ``BcryptPBKDF``.
///
/// The state is 18 P-words and four 256-word S-boxes, initialised from the digits of pi (``initialP``,
/// ``initialS``) and mixed with key and salt by ``expand(key:)`` and ``expand(data:key:)``.
struct Blowfish {
    private var p: [UInt32]
    private var s: [UInt32]

    /// A state initialised with the digits of pi.
    init() {
        p = Self.initialP
        s = Self.initialS
    }

    /// Reads four bytes of `data` as a big-endian word, wrapping around at the end; advances `index`.
    @inline(__always)
    private static func word(_ data: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            if index >= data.count { index = 0 }
            value = (value << 8) | UInt32(data[index])
            index += 1
        }
        return value
    }

    @inline(__always)
    private static func encipher(
        _ left: inout UInt32, _ right: inout UInt32, p: UnsafeMutableBufferPointer<UInt32>,
        s: UnsafeMutableBufferPointer<UInt32>
    ) {
        @inline(__always) func f(_ x: UInt32) -> UInt32 {
            ((s[Int(x >> 24)] &+ s[0x100 + Int((x >> 16) & 0xff)]) ^ s[0x200 + Int((x >> 8) & 0xff)])
                &+ s[0x300 + Int(x & 0xff)]
        }
        var l = left ^ p[0]
        var r = right
        var round = 1
        while round <= 16 {
            r ^= f(l) ^ p[round]
            l ^= f(r) ^ p[round + 1]
            round += 2
        }
        left = r ^ p[17]
        right = l
    }

    /// Mixes `key` into the state (Blowfish_expand0state).
    mutating func expand(key: [UInt8]) {
        expand(data: nil, key: key)
    }

    /// Mixes `key` and, if given, `data` into the state (Blowfish_expandstate); `data` may not be empty.
    mutating func expand(data: [UInt8]?, key: [UInt8]) {
        guard !key.isEmpty else { return }
        let salt = data ?? []
        p.withUnsafeMutableBufferPointer { p in
            s.withUnsafeMutableBufferPointer { s in
                key.withUnsafeBufferPointer { key in
                    salt.withUnsafeBufferPointer { salt in
                        var j = 0
                        for i in 0..<18 { p[i] ^= Self.word(key, &j) }
                        var left: UInt32 = 0
                        var right: UInt32 = 0
                        var k = 0
                        let mixing = !salt.isEmpty
                        // The 18 P-words, then the 1,024 S-box words, are replaced two at a time.
                        var i = 0
                        while i < 18 + 1024 {
                            if mixing {
                                left ^= Self.word(salt, &k)
                                right ^= Self.word(salt, &k)
                            }
                            Self.encipher(&left, &right, p: p, s: s)
                            if i < 18 {
                                p[i] = left
                                p[i + 1] = right
                            } else {
                                s[i - 18] = left
                                s[i - 17] = right
                            }
                            i += 2
                        }
                    }
                }
            }
        }
    }

    /// Encrypts the words of `blocks` in place, two at a time (ECB).
    mutating func encrypt(_ blocks: inout [UInt32]) {
        p.withUnsafeMutableBufferPointer { p in
            s.withUnsafeMutableBufferPointer { s in
                var i = 0
                while i + 1 < blocks.count {
                    var left = blocks[i]
                    var right = blocks[i + 1]
                    Self.encipher(&left, &right, p: p, s: s)
                    blocks[i] = left
                    blocks[i + 1] = right
                    i += 2
                }
            }
        }
    }
}

/// OpenBSD's `bcrypt_pbkdf`, the key derivation of passphrase-protected OpenSSH private keys.
enum BcryptPBKDF {
    /// The most rounds accepted from a key file, so that a hostile file cannot make the client spin for hours
    /// (ssh-keygen writes 16 by default; 100 already takes seconds).
    static let maximumRounds = 10_000

    /// Derives `length` bytes from `passphrase` and `salt` with `rounds` rounds.
    /// - Returns: `nil` for parameters `bcrypt_pbkdf` refuses (no rounds, empty passphrase or salt, bad length).
    static func derive(passphrase: [UInt8], salt: [UInt8], rounds: Int, length: Int) -> [UInt8]? {
        let blockSize = 32
        guard rounds >= 1, rounds <= maximumRounds, !passphrase.isEmpty, !salt.isEmpty, salt.count <= 1 << 20,
            length > 0, length <= blockSize * blockSize
        else { return nil }
        let stride = (length + blockSize - 1) / blockSize
        let amount = (length + stride - 1) / stride
        let hashedPassphrase = Array(SHA512.hash(data: passphrase))
        var key = [UInt8](repeating: 0, count: length)
        var remaining = length
        var count: UInt32 = 1
        while remaining > 0 {
            let countBytes: [UInt8] = [
                UInt8(count >> 24), UInt8((count >> 16) & 0xff), UInt8((count >> 8) & 0xff), UInt8(count & 0xff),
            ]
            var block = hash(passphrase: hashedPassphrase, salt: Array(SHA512.hash(data: salt + countBytes)))
            var output = block
            for _ in 1..<rounds {
                block = hash(passphrase: hashedPassphrase, salt: Array(SHA512.hash(data: block)))
                for j in 0..<blockSize { output[j] ^= block[j] }
            }
            var written = 0
            for i in 0..<min(amount, remaining) {
                let destination = i * stride + Int(count - 1)
                if destination >= length { break }
                key[destination] = output[i]
                written += 1
            }
            remaining -= written
            count += 1
            if written == 0 { break }
        }
        return key
    }

    /// bcrypt_hash: one Blowfish "eksblowfish" block over the SHA-512 of passphrase and salt.
    private static func hash(passphrase: [UInt8], salt: [UInt8]) -> [UInt8] {
        var state = Blowfish()
        state.expand(data: salt, key: passphrase)
        for _ in 0..<64 {
            state.expand(key: salt)
            state.expand(key: passphrase)
        }
        let magic = Array("OxychromaticBlowfishSwatDynamite".utf8)
        var words = [UInt32](repeating: 0, count: 8)
        magic.withUnsafeBufferPointer { magic in
            var j = 0
            for i in 0..<8 {
                var value: UInt32 = 0
                for _ in 0..<4 {
                    if j >= magic.count { j = 0 }
                    value = (value << 8) | UInt32(magic[j])
                    j += 1
                }
                words[i] = value
            }
        }
        for _ in 0..<64 { state.encrypt(&words) }
        var out = [UInt8](repeating: 0, count: 32)
        for (i, word) in words.enumerated() {
            out[4 * i] = UInt8(word & 0xff)
            out[4 * i + 1] = UInt8((word >> 8) & 0xff)
            out[4 * i + 2] = UInt8((word >> 16) & 0xff)
            out[4 * i + 3] = UInt8(word >> 24)
        }
        return out
    }
}
