#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension OSError {
    /// The C library's errno `code` with its text; `call`, when given, names the call that failed first
    /// (`pipe: Too many open files`).
    public static func errno(_ code: Int32, call: String? = nil) -> OSError {
        let text = String(cString: strerror(code))
        return OSError(errno: code, text: call.map { "\($0): \(text)" } ?? text)
    }
}
