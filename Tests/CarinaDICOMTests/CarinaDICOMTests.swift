import Testing
import CarinaDICOM

@Suite struct CarinaDICOMModuleTests {
    @Test func moduleIsNamed() {
        #expect(CarinaDICOMModule.name == "CarinaDICOM")
    }
}
