import Testing
import Values

@Suite struct AddressPrefixTests {
    @Test(arguments: [
        ("10.0.0.0/8", "10.255.1.2", true), ("10.0.0.0/8", "11.0.0.1", false), ("0.0.0.0/0", "1.2.3.4", true),
        ("10.244.1.7/24", "10.244.1.200", true), ("192.168.1.1/32", "192.168.1.1", true),
        ("192.168.1.1/32", "192.168.1.2", false), ("fd00::/8", "fd12::1", true), ("fd00::/64", "fd00:0:0:1::1", false),
        ("fd00::/72", "fd00::ff:1", true), ("fd00::/72", "fd00:0:0:0:100::", false), ("::/0", "2001:db8::1", true),
        ("10.0.0.0/8", "fd00::1", false), ("fd00::/8", "10.0.0.1", false), ("192.168.1.0/24", "192.168.1.255", true),
        ("192.168.1.0/25", "192.168.1.128", false), ("fd00::/8", "fe00::1", false),
    ])
    func contains(prefix: String, address: String, expected: Bool) throws {
        let parsed = try #require(AddressPrefix(prefix))
        #expect(parsed.contains(try #require(IPAddress(address))) == expected)
    }

    @Test(arguments: ["", "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "fd00::/129", "10.0.0/8", "10.0.0.0/-1", "10.0.0.0/ 8",
        "10.0.0.0/8/8", "10.0.0.0/0008", "x/8", "/8"])
    func refuses(text: String) {
        #expect(AddressPrefix(text) == nil)
    }

    @Test func strictRefusesHostBits() throws {
        #expect(AddressPrefix("10.244.0.5/24", strict: true) == nil)
        #expect(AddressPrefix("10.244.0.0/24", strict: true) != nil)
        #expect(AddressPrefix("fd00::1/64", strict: true) == nil)
        let loose = try #require(AddressPrefix("10.244.0.5/24"))
        #expect(loose.network == IPAddress("10.244.0.0"))
        #expect(loose.description == "10.244.0.5/24")
    }

    @Test func hosts() throws {
        let v4 = try #require(AddressPrefix("10.244.0.0/24", strict: true))
        #expect(v4.size == 256)
        #expect(v4.host(0) == nil)
        #expect(v4.host(1) == IPAddress("10.244.0.1"))
        #expect(v4.host(254) == IPAddress("10.244.0.254"))
        #expect(v4.host(255) == nil)
        #expect(try #require(AddressPrefix("10.0.0.0/31")).host(1) == nil)
        let v6 = try #require(AddressPrefix("fd00::/120"))
        #expect(v6.size == 256)
        #expect(v6.host(255) == IPAddress("fd00::ff"))
        #expect(v6.host(256) == nil)
        #expect(try #require(AddressPrefix("fd00::/64")).size == .max)
    }
}

@Suite struct CodedErrorTests {
    enum Code: String, ErrorCode { case broken }

    @Test func describesMessageThenCause() {
        let error = CodedError(Code.broken, "file a.yaml: spec.ports[0].port: not a number",
            cause: OSError(errno: 22, text: "Invalid argument"))
        #expect(error.description == "file a.yaml: spec.ports[0].port: not a number (errno 22: Invalid argument)")
        #expect(error.errno == 22)
        #expect(CodedError(Code.broken, "x").description == "x")
        #expect(CodedError(Code.broken, "x").errno == nil)
    }

    @Test func equalErrorsHashAlike() {
        let errors: Set = [CodedError(Code.broken, "x"), CodedError(Code.broken, "x"), CodedError(Code.broken, "y")]
        #expect(errors.count == 2)
        #expect(CodedError(Code.broken, "x", cause: OSError(errno: 1, text: "")) != CodedError(Code.broken, "x"))
    }

    @Test func findsTheErrnoOneLevelDown() {
        let inner = CodedError(Code.broken, "inner", cause: OSError(errno: 2, text: "No such file or directory"))
        #expect(CodedError(Code.broken, "outer", cause: inner).errno == 2)
        #expect(CodedError(Code.broken, "outer", cause: CodedError(Code.broken, "inner")).errno == nil)
    }
}
