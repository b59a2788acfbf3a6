public import CantoCore
import Foundation
import GRDB

/// Recognises a write refused because a disk is full, wherever it came from: SQLite's
/// `SQLITE_FULL` (the database or its WAL could not grow), or `ENOSPC`/`EDQUOT` from a file
/// write (Foundation's and POSIX's errors alike). Each API surface asks this once, in its error
/// mapping, so a full disk is a clear answer instead of an internal error.
public enum DiskFull {
    /// `DomainError.storageFull` when `error` is a full disk; nil otherwise.
    public static func domainError(for error: any Error) -> DomainError? {
        caused(error) ? .storageFull : nil
    }

    /// Whether `error` (or the error under it) says a disk is full.
    public static func caused(_ error: any Error) -> Bool {
        if let error = error as? DatabaseError {
            return error.resultCode == .SQLITE_FULL
        }
        if let error = error as? POSIXError {
            return error.code == .ENOSPC || error.code == .EDQUOT
        }
        if let error = error as? CocoaError, error.code == .fileWriteOutOfSpace { return true }
        let bridged = error as NSError
        if bridged.domain == NSPOSIXErrorDomain, bridged.code == Int(ENOSPC) || bridged.code == Int(EDQUOT) {
            return true
        }
        if let underlying = bridged.userInfo[NSUnderlyingErrorKey] as? NSError, underlying !== bridged {
            return caused(underlying)
        }
        return false
    }
}
