import Testing
import CarinaTensor

@Suite struct CarinaTensorModuleTests {
    @Test func moduleIsNamed() {
        #expect(CarinaTensorModule.name == "CarinaTensor")
    }
}
