// swift-tools-version: 6.2
import PackageDescription

/// Modules that touch C or raw bytes opt into strict memory safety so every `unsafe` is visible.
let strictSafety: [SwiftSetting] = [.strictMemorySafety()]

let package = Package(
    name: "Carina",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "carina", targets: ["carina"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // MARK: C and C++ leaves (no stable API; each is imported by exactly one Swift module)
        .systemLibrary(name: "COpenJPEG", path: "Sources/Native/COpenJPEG", pkgConfig: "libopenjp2",
                       providers: [.apt(["libopenjp2-7-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/Native/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/Native/CJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CXML2", path: "Sources/Native/CXML2", pkgConfig: "libxml-2.0",
                       providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/Native/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/Native/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/Native/CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CXXHash", path: "Sources/Native/CXXHash", providers: [.apt(["libxxhash-dev"])]),
        .target(name: "CCRC32C", path: "Sources/Native/CCRC32C"),
        .target(name: "CDirectIO", path: "Sources/Native/CDirectIO"),
        .target(name: "CPNGInflate", path: "Sources/Native/CPNGInflate", linkerSettings: [.linkedLibrary("deflate")]),
        .target(
            name: "CDCMTKShim",
            dependencies: ["COpenJPEG"],
            path: "Sources/Native/CDCMTKShim",
            linkerSettings: [
                .linkedLibrary("dcmimage"), .linkedLibrary("dcmimgle"), .linkedLibrary("dcmjpeg"),
                .linkedLibrary("dcmjpls"), .linkedLibrary("dcmdata"), .linkedLibrary("oflog"),
                .linkedLibrary("ofstd"), .linkedLibrary("openjp2"),
            ]
        ),

        // MARK: Carina modules, one per concern
        .target(name: "CarinaCore", dependencies: ["CZlib"], swiftSettings: strictSafety),
        .target(name: "CarinaImage", dependencies: ["CarinaCore", "CPNG", "CJPEG", "CPNGInflate"], swiftSettings: strictSafety),
        .target(name: "CarinaDICOM", dependencies: ["CDCMTKShim", "CarinaCore", "CarinaImage"], swiftSettings: strictSafety),
        .target(name: "CarinaReports", dependencies: ["CarinaCore"], swiftSettings: strictSafety),
        .target(name: "CarinaOpenI", dependencies: ["CarinaCore", "CarinaReports", "CXML2"], swiftSettings: strictSafety),
        .target(name: "CarinaGraph", dependencies: ["CarinaCore", "CarinaReports"]),
        .target(name: "CarinaShards", dependencies: ["CCRC32C", "CCrypto", "CDirectIO", "CXXHash", "CarinaCore"],
                swiftSettings: strictSafety),
        .target(name: "CarinaRecord", dependencies: ["CarinaCore", "CarinaShards"]),
        .target(name: "CarinaLoader", dependencies: ["CarinaCore", "CarinaShards", "CarinaRecord", "CarinaImage"],
                swiftSettings: strictSafety),
        .target(name: "CarinaExport", dependencies: ["CarinaCore", "CarinaShards", "CarinaRecord", "CarinaImage"]),
        .target(name: "CarinaSite", dependencies: ["CarinaCore", "CarinaShards", "CarinaRecord", "CarinaImage"]),
        .target(name: "CarinaTensor", dependencies: ["COpenBLAS"], swiftSettings: strictSafety),
        .target(name: "CarinaTrain", dependencies: ["CarinaCore", "CarinaTensor", "CarinaLoader", "CarinaShards"], swiftSettings: strictSafety),
        .target(name: "CarinaSynth", dependencies: ["CarinaCore", "CarinaDICOM", "CarinaImage", "CarinaGraph"], swiftSettings: strictSafety),
        .target(
            name: "CarinaIngest",
            dependencies: ["CarinaCore", "CarinaDICOM", "CarinaImage", "CarinaReports", "CarinaGraph", "CarinaShards",
                           "CarinaRecord"],
            swiftSettings: strictSafety
        ),
        .executableTarget(
            name: "carina",
            dependencies: [
                "CarinaCore", "CarinaDICOM", "CarinaImage", "CarinaReports", "CarinaOpenI", "CarinaGraph", "CarinaShards",
                "CarinaRecord", "CarinaExport", "CarinaLoader", "CarinaTensor", "CarinaTrain", "CarinaSynth", "CarinaIngest", "CarinaSite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests
        .target(name: "CarinaTestSupport", path: "Tests/CarinaTestSupport"),
        .testTarget(name: "CarinaImageTests", dependencies: ["CarinaImage", "CarinaTestSupport"]),
        .testTarget(name: "CarinaDICOMTests", dependencies: ["CarinaDICOM", "CarinaImage", "CarinaTestSupport"]),
        .testTarget(name: "CarinaReportsTests", dependencies: ["CarinaCore", "CarinaReports", "CarinaOpenI", "CarinaShards", "CarinaTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "CarinaGraphTests", dependencies: ["CarinaGraph", "CarinaReports", "CarinaTestSupport"]),
        .testTarget(name: "CarinaShardsTests", dependencies: ["CarinaShards", "CarinaRecord", "CarinaExport", "CarinaImage",
                                                            "CarinaTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "CarinaLoaderTests", dependencies: ["CarinaLoader", "CarinaShards", "CarinaRecord", "CarinaTestSupport"]),
        .testTarget(name: "CarinaRecordTests", dependencies: ["CarinaRecord", "CarinaShards", "CarinaTestSupport"]),
        .testTarget(name: "CarinaSiteTests", dependencies: ["CarinaSite", "CarinaIngest", "CarinaRecord", "CarinaShards",
                                                       "CarinaImage", "CarinaTestSupport"]),
        .testTarget(name: "CarinaTensorTests", dependencies: ["CarinaTensor", "CarinaTestSupport"]),
        .testTarget(name: "CarinaTrainTests", dependencies: ["CarinaTrain", "CarinaTensor", "CarinaLoader", "CarinaTestSupport"],
                    exclude: ["Fixtures"]),
        // Benchmarks (run by Scripts/trainer-bench.sh, built with -c release).
        .executableTarget(name: "carina-trainer-bench", dependencies: ["CarinaTrain", "CarinaTensor", "CarinaLoader"],
                          path: "Benchmarks/TrainerBench"),
        // Benchmarks of the reports and DICOM paths (run by Scripts/bench-sections.sh, graph-bench.sh,
        // sections-oracle.sh and bench-dicom.sh).
        .executableTarget(name: "carina-report-bench", dependencies: [
            "CarinaCore", "CarinaReports", "CarinaOpenI", "CarinaGraph",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Benchmarks/ReportBench"),
        .executableTarget(name: "carina-dicom-bench", dependencies: [
            "CarinaCore", "CarinaDICOM", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Benchmarks/DicomBench"),
        .testTarget(name: "CarinaCLITests", dependencies: [
            "carina", "CarinaTestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "CarinaIngestTests",
                    dependencies: ["CarinaIngest", "CarinaCore", "CarinaShards", "CarinaRecord", "CarinaDICOM", "CarinaSynth",
                                   "CarinaGraph", "CarinaLoader", "CarinaTestSupport"]),
    ],
    cxxLanguageStandard: .cxx17
)
