/// Splits a string into words like a POSIX shell (and Python's `shlex.split`): quotes group, backslash escapes.
///
/// Cumin passes `clustershell.ssh_options` through this kind of splitting, so
/// `-o "UserKnownHostsFile=/dev/null"` becomes `["-o", "UserKnownHostsFile=/dev/null"]`.
/// - Throws: ``ExecutionError`` for an unclosed quote or a trailing backslash.
public func shellWords(_ text: String) throws(ExecutionError) -> [String] {
    var words: [String] = []
    var current = ""
    var inWord = false
    var quote: Character?
    var escaping = false
    for character in text {
        if escaping {
            current.append(character)
            escaping = false
            continue
        }
        if let open = quote {
            if character == open {
                quote = nil
            } else if character == "\\" && open == "\"" {
                escaping = true
            } else {
                current.append(character)
            }
            continue
        }
        switch character {
        case "'", "\"":
            quote = character
            inWord = true
        case "\\":
            escaping = true
            inWord = true
        case " ", "\t", "\n", "\r":
            if inWord {
                words.append(current)
                current = ""
                inWord = false
            }
        default:
            current.append(character)
            inWord = true
        }
    }
    if let open = quote {
        throw ExecutionError("unclosed \(open) quote in ssh options: \(text)")
    }
    if escaping {
        throw ExecutionError("trailing backslash in ssh options: \(text)")
    }
    if inWord { words.append(current) }
    return words
}
