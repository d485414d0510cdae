import Testing
import CarinaTrain

@Suite struct CarinaTrainModuleTests {
    @Test func moduleIsNamed() {
        #expect(CarinaTrainModule.name == "CarinaTrain")
    }
}
