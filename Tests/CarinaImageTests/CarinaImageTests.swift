import Testing
import CarinaImage

@Suite struct CarinaImageModuleTests {
    @Test func moduleIsNamed() {
        #expect(CarinaImageModule.name == "CarinaImage")
    }
}
