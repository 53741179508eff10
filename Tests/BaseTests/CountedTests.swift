import Base
import Testing

@Suite struct CountedTests {
    @Test func oneTakesTheSingularEveryOtherCountThePlural() {
        #expect(counted(1, "epoch") == "1 epoch")
        #expect(counted(0, "epoch") == "0 epochs")
        #expect(counted(3, "epoch") == "3 epochs")
        #expect(counted(1, "class", plural: "classes") == "1 class")
        #expect(counted(10, "class", plural: "classes") == "10 classes")
    }
}
