public import Foundation

/// Why a domain operation was refused, as one small kind that each API surface maps once
/// (native HTTP status, Subsonic error code, public page). The message is meant for people and
/// never carries internal detail (SQL, paths, type names).
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as far as a caller needs to know.
    public enum Kind: Sendable, Equatable {
        /// No such thing, or it lies outside the caller's scope: the two are never told apart.
        case notFound
        /// The caller is known but may not do this.
        case forbidden
        /// The change clashes with the current state (a taken name, the last admin).
        case conflict
        /// A value the caller sent is out of range or malformed; `field` names it.
        case invalid(field: String)
        /// Too busy now; try again after this many seconds.
        case busy(retryAfter: Int)
        /// A part the operation needs is not available (a plugin, a remote source, a file).
        case unavailable
        /// The caller did not prove who they are (wrong password, no session).
        case unauthenticated
        /// The caller failed too often; try again after this many seconds.
        case throttled(retryAfter: Int)
        /// The caller's plan does not include this; the message names a plan that does.
        case paymentRequired
        /// The disk Canto writes to is full: nothing was stored, and it works again once space is freed.
        case storageFull
    }

    public var kind: Kind
    /// A short sentence for people.
    public var message: String
    /// A stable machine-readable code for the native API (`weak_password`); nil for the kind's own.
    public var code: String?

    public init(_ kind: Kind, _ message: String, code: String? = nil) {
        self.kind = kind
        self.message = message
        self.code = code
    }

    public var description: String { message }

    /// The answer for anything out of the caller's scope.
    public static let notFound = DomainError(.notFound, "There is no such thing, or it is not yours.")
    public static let forbidden = DomainError(.forbidden, "You may not do this.")
    /// A value the caller sent cannot be used.
    public static func invalid(_ field: String, _ why: String) -> DomainError {
        DomainError(.invalid(field: field), "\(field): \(why)")
    }
    public static func conflict(_ message: String) -> DomainError { DomainError(.conflict, message) }
    public static func busy(retryAfter seconds: Int, _ message: String) -> DomainError {
        DomainError(.busy(retryAfter: seconds), message)
    }
    public static func unavailable(_ message: String) -> DomainError { DomainError(.unavailable, message) }
    /// A write refused by a full disk (`DiskFull.domainError(for:)` recognises one).
    public static let storageFull = DomainError(
        .storageFull,
        "The disk that holds Canto's data is full, so nothing was saved. Free some space and try again.",
        code: "disk_full")
}

extension DomainError: DomainFailure {
    public var domainError: DomainError { self }
}

/// An error that knows which `DomainError` it is: each API surface maps only `DomainError`, once.
public protocol DomainFailure: Error {
    var domainError: DomainError { get }
}

extension NotFoundOrForbidden: DomainFailure {
    public var domainError: DomainError { .notFound }
}

extension DuplicateUsername: DomainFailure {
    public var domainError: DomainError {
        DomainError(.conflict, "The username \(username) is taken.", code: "username_taken")
    }
}

/// The range of instants Canto stores: anything outside cannot be an honest time for a play,
/// a share's expiry or a session, and SQLite's date text only reads back for years 0000–9999.
public enum StoredTime {
    /// 1970-01-01, the earliest instant any Canto record can carry.
    public static let earliest = Date(timeIntervalSince1970: 0)
    /// 9999-12-31 23:59:59 UTC, the latest instant the database's date text can hold.
    public static let latest = Date(timeIntervalSince1970: 253_402_300_799)

    /// `date` when it lies in the stored range, else an `invalid` error for `field`.
    public static func checked(_ date: Date, field: String) throws -> Date {
        guard date.timeIntervalSince1970.isFinite, date >= earliest, date <= latest else {
            throw DomainError.invalid(field, "the time must lie between the years 1970 and 9999")
        }
        return date
    }

    /// A date from milliseconds since 1970 (as Subsonic and many APIs send it), when in range.
    public static func fromMilliseconds(_ milliseconds: Int64, field: String) throws -> Date {
        try checked(Date(timeIntervalSince1970: Double(milliseconds) / 1000), field: field)
    }
}

extension Int {
    /// `value` rounded toward zero, held to `Int`'s range (NaN is 0): a conversion that cannot trap.
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= Double(Int.max) {
            self = .max
        } else if value <= Double(Int.min) {
            self = .min
        } else {
            self = Int(value)
        }
    }
}
