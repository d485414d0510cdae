import Testing
import CarinaGraph

@Suite struct CarinaGraphModuleTests {
    @Test func moduleIsNamed() {
        #expect(CarinaGraphModule.name == "CarinaGraph")
    }
}
