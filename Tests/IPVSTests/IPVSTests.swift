import Testing

@testable import IPVS
