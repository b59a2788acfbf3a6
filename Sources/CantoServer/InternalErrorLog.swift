import CantoStore
import Logging

/// What the log says of an error no surface maps: its type always, and the description only of
/// errors written to be safe to log (an unreadable stored value names its table and column, never
/// the row). Other descriptions may carry SQL or paths and stay out.
enum InternalErrorLog {
    static func metadata(_ error: any Error) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["error": "\(String(reflecting: type(of: error)))"]
        if let unreadable = error as? StoredValueUnreadable { metadata["error.detail"] = "\(unreadable)" }
        return metadata
    }
}
