/// The rules a login password must meet before it is hashed.
///
/// bcrypt reads at most 72 bytes and stops at the first NUL byte, so longer passwords or ones
/// holding NUL are refused rather than silently shortened.
public enum PasswordPolicy {
    /// The fewest characters a password may have.
    public static let minimumLength = 8
    /// The most UTF-8 bytes a password may have: all bcrypt reads.
    public static let maximumBytes = 72

    /// Throws when `password` breaks a rule.
    public static func check(_ password: String) throws(PasswordPolicyError) {
        if password.count < minimumLength { throw .tooShort(minimum: minimumLength) }
        if password.utf8.count > maximumBytes { throw .tooLong(maximumBytes: maximumBytes) }
        if password.utf8.contains(0) { throw .containsNullCharacter }
    }
}
