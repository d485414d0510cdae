import CarinaDICOM
import CarinaImage
import CarinaTestSupport
import Testing

/// Every file of `../shared/data/dicom` against pydicom's pixels (with its JPEG, JPEG-LS and JPEG 2000 plugins).
@Suite struct ReferencePixelTests {
    @Test(arguments: Reference.all)
    func rawMatchesPydicomModalityOutput(_ reference: Reference) throws {
        let path = SharedData.path("dicom/" + reference.file)
        if let code = reference.error {
            let error = #expect(throws: DicomError.self) {
                _ = try DicomRenderer.decode(path: path, transform: .raw, frame: 0)
            }
            #expect(error?.code == code)
            #expect(error?.message.contains(path) == true, "the message names the file")
            return
        }
        let (image, metadata) = try DicomRenderer.decode(path: path, transform: .raw, frame: reference.frame)
        #expect(image.width == reference.columns && image.height == reference.rows)
        #expect(image.bitDepth == 16)
        #expect(metadata.rawValueRange == [reference.rawLow, reference.rawHigh])
        #expect(metadata.rawValueOffset == reference.rawOffset)
        if let hash = reference.rawHash {
            #expect(fnv1a64(image.pixels, wide: true) == hash, "raw16 differs from pydicom's modality-LUT output")
        } else {
            // Lossy JPEG: DCMTK decodes with IJG's integer IDCT, pydicom with libjpeg 9's; they differ by at most 1
            // gray level on some pixels. JPEG 2000 lossy: both use OpenJPEG, so they agree exactly.
            var worst = 0
            for (i, index) in reference.samples.enumerated() {
                worst = max(worst, abs(Int(image.pixels[index]) - reference.rawSamples[i]))
            }
            #expect(worst <= 1, "lossy decode differs from pydicom by \(worst) gray levels")
        }
        let mean = Double(image.pixels.reduce(0) { $0 + Int($1) }) / Double(image.pixels.count)
        #expect(abs(mean - reference.rawMean) < 0.5)
    }

    @Test(arguments: Reference.all.filter { $0.error == nil })
    func mimicMatchesTheOpenCVRecipe(_ reference: Reference) throws {
        let path = SharedData.path("dicom/" + reference.file)
        let (image, _) = try DicomRenderer.decode(path: path, transform: .mimicJPG, frame: reference.frame)
        #expect(image.bitDepth == 8)
        if let hash = reference.mimicHash {
            #expect(fnv1a64(image.pixels, wide: false) == hash, "mimic-jpg differs from the Python recipe")
        } else {
            // Lossy inputs: a 1-level decoder difference can move a pixel across an equalisation step.
            var total = 0
            for (i, index) in reference.samples.enumerated() {
                total += abs(Int(image.pixels[index]) - reference.mimicSamples[i])
            }
            #expect(Double(total) / Double(reference.samples.count) < 1.0)
        }
    }

    @Test(arguments: [("chest/RG1_UNCR.dcm", "chest/RG1_J2KR.dcm"),
                      ("radiograph-other/RG2_JPLL.dcm", "radiograph-other/RG2_JLSL.dcm"),
                      ("syntax-small/MR_small.dcm", "syntax-small/MR_small_RLE.dcm"),
                      ("syntax-small/MR_small.dcm", "syntax-small/MR_small_bigendian.dcm"),
                      ("syntax-small/MR_small.dcm", "syntax-small/MR_small_implicit.dcm"),
                      ("syntax-small/MR_small.dcm", "syntax-small/MR_small_jp2klossless.dcm"),
                      ("syntax-small/MR_small.dcm", "syntax-small/MR_small_jpeg_ls_lossless.dcm")])
    func losslessPairsDecodeIdentically(_ pair: (String, String)) throws {
        for transform in PixelTransform.allCases {
            let (a, _) = try DicomRenderer.decode(path: SharedData.path("dicom/" + pair.0), transform: transform, frame: 0)
            let (b, _) = try DicomRenderer.decode(path: SharedData.path("dicom/" + pair.1), transform: transform, frame: 0)
            #expect(a == b, "\(pair.0) and \(pair.1) differ under \(transform)")
        }
    }

    @Test func jpeg2000DecodesTheSameWithSeveralThreads() throws {
        let path = SharedData.path("dicom/chest/RG1_J2KR.dcm")
        let (one, _) = try DicomRenderer.decode(path: path, transform: .raw, frame: 0, bitDepth: 16, threads: 1)
        let (two, _) = try DicomRenderer.decode(path: path, transform: .raw, frame: 0, bitDepth: 16, threads: 2)
        #expect(one == two)
    }

    @Test func multiFrameFramesDiffer() throws {
        let path = SharedData.path("dicom/syntax-small/emri_small_RLE.dcm")
        let (first, _) = try DicomRenderer.decode(path: path, transform: .raw, frame: 0)
        let (last, _) = try DicomRenderer.decode(path: path, transform: .raw, frame: 9)
        #expect(first != last)
        let error = #expect(throws: DicomError.self) { _ = try DicomRenderer.decode(path: path, transform: .raw, frame: 10) }
        #expect(error?.code == .frameOutOfRange)
    }

    @Test func concurrentDecodesMatchSerialOnes() async throws {
        let files = ["chest/RG1_J2KR.dcm", "radiograph-other/RG2_JLSL.dcm", "radiograph-other/RG2_JPLL.dcm",
                     "syntax-small/MR_small_RLE.dcm", "syntax-small/image_dfl.dcm", "chest/SIIM_CR_chest_jpeg_baseline.dcm"]
        let serial = try files.map { try DicomRenderer.decode(path: SharedData.path("dicom/" + $0), transform: .mimicJPG, frame: 0).0 }
        let parallel = try await withThrowingTaskGroup(of: (Int, GrayImage).self) { group in
            for round in 0..<3 {
                for (i, file) in files.enumerated() {
                    group.addTask {
                        (i + round * 0, try DicomRenderer.decode(path: SharedData.path("dicom/" + file), transform: .mimicJPG, frame: 0).0)
                    }
                }
            }
            var results: [(Int, GrayImage)] = []
            for try await r in group { results.append(r) }
            return results
        }
        for (i, image) in parallel { #expect(image == serial[i]) }
    }
}
