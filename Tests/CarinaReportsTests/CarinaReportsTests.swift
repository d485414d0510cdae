import Testing
import CarinaReports

@Suite struct CarinaReportsModuleTests {
    @Test func moduleIsNamed() {
        #expect(CarinaReportsModule.name == "CarinaReports")
    }
}
