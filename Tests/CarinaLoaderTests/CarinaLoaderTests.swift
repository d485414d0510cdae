import Testing
import CarinaLoader

@Suite struct CarinaLoaderModuleTests {
    @Test func moduleIsNamed() {
        #expect(CarinaLoaderModule.name == "CarinaLoader")
    }
}
