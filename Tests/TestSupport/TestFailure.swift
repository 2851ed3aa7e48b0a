/// A test's own failure with a sentence saying what went wrong (a fixture that could not be made, an unexpected
/// reply), thrown where an expectation cannot go on.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
