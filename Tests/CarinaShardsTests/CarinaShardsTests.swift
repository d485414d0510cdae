import Testing
import CarinaShards

@Suite struct CarinaShardsModuleTests {
    @Test func moduleIsNamed() {
        #expect(CarinaShardsModule.name == "CarinaShards")
    }
}
