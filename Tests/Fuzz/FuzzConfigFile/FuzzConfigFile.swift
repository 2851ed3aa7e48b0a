import Foundation
import FuzzDriver
import Settings

/// Fuzz target: the config file reader (`ConfigFile.parse`: ipvs-proxy's own shape or kube-proxy's
/// KubeProxyConfiguration), then the settings resolved from it (`ProxySettings.resolve`: every value parsed and
/// checked). The input is the file's text.
enum ConfigFileFuzz {
    static func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        guard let layer = try? ConfigFile.parse(text, path: "fuzz.yaml") else { return }
        _ = try? ProxySettings.resolve([layer])
    }
}

/// libFuzzer's entry point: one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    ConfigFileFuzz.run(FuzzDriver.bytes(data, size))
    return 0
}

@main enum Main {
    static func main() { FuzzDriver.main(fuzzTestOneInput, replay: ConfigFileFuzz.run) }
}
