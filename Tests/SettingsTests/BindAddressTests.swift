import Settings
import Testing
import Values

@Suite struct BindAddressTests {
    @Test(arguments: [
        ("0.0.0.0:10256", "0.0.0.0", 10256), ("127.0.0.1:0", "127.0.0.1", 0), (":10249", "0.0.0.0", 10249),
        ("[::]:10256", "::", 10256), ("[fd00::1]:80", "fd00::1", 80), ("10.0.0.1", "10.0.0.1", 7),
        ("fd00::1", "fd00::1", 7),
    ])
    func parses(text: String, host: String, port: Int) throws {
        #expect(BindAddress(text, defaultPort: 7) == BindAddress(host: try #require(IPAddress(host)), port: port))
    }

    @Test func printsIPv6Bracketed() throws {
        #expect(try #require(BindAddress("[fd00:0::1]:80", defaultPort: 7)).description == "[fd00::1]:80")
        #expect(try #require(BindAddress(":10249", defaultPort: 7)).description == "0.0.0.0:10249")
    }

    @Test(arguments: ["localhost:80", "1.2.3.4:", "1.2.3.4:65536", "[::1]", "[::1:80", "fd00::1:80:x", "", ":"])
    func rejects(text: String) {
        #expect(BindAddress(text, defaultPort: 7) == nil)
    }
}
