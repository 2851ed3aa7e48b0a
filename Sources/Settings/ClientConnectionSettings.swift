import Foundation

/// How the proxy reaches the API server: kube-proxy's `--kubeconfig`, `--master` and `clientConnection`
/// (`kubeconfig`, `qps`, `burst`, `contentType`, `acceptContentTypes`).
public struct ClientConnectionSettings: Sendable, Hashable {
    /// `--kubeconfig`, and where it was given (for the start line).
    public var kubeconfig: String?
    /// Where ``kubeconfig`` was given: `--kubeconfig`, a file's key, an environment variable.
    public var kubeconfigOrigin: String?
    /// `--master`.
    public var master: String?
    /// Where ``master`` was given.
    public var masterOrigin: String?
    /// `--kube-api-qps` as given (0: client-go's 5; negative: no limit).
    public var qps: Double
    /// `--kube-api-burst` as given (0: client-go's 10).
    public var burst: Int

    /// Reads the settings; what the proxy does differently from kube-proxy (it speaks JSON) becomes a note.
    static func read(_ reader: SettingReader, notes: inout [String]) throws -> ClientConnectionSettings {
        let contentType = try reader.choice(SettingKeys.kubeAPIContentType)
        if contentType != "application/json", let raw = reader.raw(SettingKeys.kubeAPIContentType) {
            notes.append(
                "\(raw.origin): \(contentType) accepted; ipvs-proxy speaks JSON to the API server "
                    + "(it only reads, so no request body is ever sent in either type)")
        }
        if let raw = reader.raw(SettingKeys.kubeAPIAcceptContentTypes),
            let accept = try reader.text(SettingKeys.kubeAPIAcceptContentTypes)
        {
            let types = accept.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for type in types where !Self.isMediaType(type) {
                throw reader.fail(raw, "\"\(type)\" is not a media type (like application/json)")
            }
            if types.first?.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespaces) })
                != "application/json"
            {
                notes.append("\(raw.origin): \(accept) accepted; ipvs-proxy asks the API server for application/json")
            }
        }
        return ClientConnectionSettings(
            kubeconfig: try reader.text(SettingKeys.kubeconfig),
            kubeconfigOrigin: reader.raw(SettingKeys.kubeconfig).map { "\($0.origin)" },
            master: try reader.text(SettingKeys.master),
            masterOrigin: reader.raw(SettingKeys.master).map { "\($0.origin)" },
            qps: try reader.number(SettingKeys.kubeAPIQPS),
            burst: try reader.wholeNumber(SettingKeys.kubeAPIBurst))
    }

    /// `type/subtype`, optionally with `;parameters`.
    static func isMediaType(_ text: String) -> Bool {
        let essence = text.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let parts = essence.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        let token: (Substring) -> Bool = { part in
            !part.isEmpty && part.allSatisfy { $0.isLetter || $0.isNumber || "!#$&^_.+-*".contains($0) }
        }
        return parts.count == 2 && token(parts[0]) && token(parts[1])
    }
}
