import Testing
import CarinaIngest

@Suite struct CarinaIngestModuleTests {
    @Test func moduleIsNamed() {
        #expect(CarinaIngestModule.name == "CarinaIngest")
    }
}
