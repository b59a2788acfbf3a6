/// Why a password was refused. `description` is fit to show the person who chose it.
public enum PasswordPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer characters than `minimum`.
    case tooShort(minimum: Int)
    /// More UTF-8 bytes than bcrypt reads.
    case tooLong(maximumBytes: Int)
    /// A NUL character, where bcrypt would stop reading.
    case containsNullCharacter

    /// A sentence for the person choosing the password.
    public var description: String {
        switch self {
        case .tooShort(let minimum): "A password needs at least \(minimum) characters."
        case .tooLong(let maximum): "A password may have at most \(maximum) bytes."
        case .containsNullCharacter: "A password may not contain the NUL character."
        }
    }
}
