import Foundation

extension OSError {
    /// The errno behind a Foundation file error (`FileManager`, `Data(contentsOf:)`, `String.write`), whose own
    /// description prints its user-info dictionary in an order that changes from one error to the next: two
    /// failures for the same reason would read as two reasons. Nil when the error carries no POSIX cause.
    public init?(foundation error: any Error) {
        // The POSIX error is the error itself or its underlying one (a CocoaError wraps it). On Linux the underlying
        // error comes out of the user info only as `any Error` (`as? NSError` finds nothing).
        var current: (any Error)? = error
        for _ in 0..<4 {
            guard let candidate = current else { return nil }
            if let posix = candidate as? POSIXError {
                self.init(errno: posix.code.rawValue, text: String(cString: strerror(posix.code.rawValue)))
                return
            }
            let object = candidate as NSError
            if object.domain == NSPOSIXErrorDomain {
                self.init(errno: Int32(object.code), text: String(cString: strerror(Int32(object.code))))
                return
            }
            current = object.userInfo[NSUnderlyingErrorKey] as? any Error
        }
        return nil
    }

    /// The C library's text for a Foundation file error's errno ("No such file or directory"); a Foundation error
    /// without one gives its one-sentence description ("The volume is read only."), never its user-info dump;
    /// anything else its own description.
    public static func text(of error: any Error) -> String {
        if let os = OSError(foundation: error) { return os.text }
        let object = error as NSError
        if object.domain == NSCocoaErrorDomain { return object.localizedDescription }
        return "\(error)"
    }
}
