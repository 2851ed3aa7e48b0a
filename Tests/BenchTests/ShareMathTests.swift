import Bench
import Testing

@Suite struct ShareMathTests {
    @Test(arguments: [
        ([UInt64(1), 1, 2], [0.25, 0.25, 0.5]),
        ([0, 0], [0.0, 0]),
        ([7], [1.0]),
        ([0, 3, 1], [0, 0.75, 0.25]),
    ])
    func sharesOfTheTotal(counts: [UInt64], expected: [Double]) {
        #expect(ShareMath.shares(counts) == expected)
    }

    @Test func weightSharesIgnoreNegativeWeights() {
        let expected: [Double] = [1.0 / 7, 2.0 / 7, 4.0 / 7, 0]
        #expect(ShareMath.weightShares([1, 2, 4, -3]) == expected)
        #expect(ShareMath.weightShares([0, 0]) == [0, 0])
    }

    @Test func maximumDeviation() {
        let deviation = ShareMath.maximumDeviation([0.30, 0.20, 0.50], from: [0.25, 0.25, 0.5])
        #expect(abs(deviation - 0.05) < 1e-12)
        #expect(ShareMath.maximumDeviation([], from: [0.5]) == 0)
    }

    @Test func meanOfASeries() {
        #expect(ShareMath.mean([1, 2, 3, 6]) == 3)
        #expect(ShareMath.mean([]) == 0)
    }
}
