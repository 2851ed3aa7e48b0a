import Settings
import Testing

@Suite struct BindAddressTests {
    @Test(arguments: [
        ("0.0.0.0:10256", "0.0.0.0", 10256), ("127.0.0.1:0", "127.0.0.1", 0), (":10249", "0.0.0.0", 10249),
        ("[::]:10256", "::", 10256), ("[fd00::1]:80", "fd00::1", 80), ("10.0.0.1", "10.0.0.1", 7),
        ("fd00::1", "fd00::1", 7),
    ])
    func parses(text: String, host: String, port: Int) {
        #expect(BindAddress(text, defaultPort: 7) == BindAddress(host: host, port: port))
    }

    @Test(arguments: ["localhost:80", "1.2.3.4:", "1.2.3.4:65536", "[::1]", "[::1:80", "fd00::1:80:x", "", ":"])
    func rejects(text: String) {
        #expect(BindAddress(text, defaultPort: 7) == nil)
    }
}
