import CDCMTKShim

/// Reads DICOM headers.
public enum DicomReader {
    /// The metadata of a DICOM file, without decoding its pixels (pixel data stays on disk).
    ///
    /// Safe to call from several threads at once.
    ///
    /// - Throws: `DicomError` when the file is unreadable, not DICOM, or damaged.
    public static func metadata(path: String) throws(DicomError) -> DicomMetadata {
        let file = try DicomFile(path: path, metadataOnly: true)
        return try metadata(of: file)
    }

    static func metadata(of file: DicomFile) throws(DicomError) -> DicomMetadata {
        let info = try file.pixelInfo()
        let uid = file.string(0x0002, 0x0010) ?? "1.2.840.10008.1.2"
        var nameBuffer = [CChar](repeating: 0, count: 256)
        unsafe carina_dcm_transfer_syntax_name(uid, &nameBuffer, nameBuffer.count)
        let name = String(decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let modalityLUT = file.lut(Int32(CARINA_DCM_LUT_MODALITY))
        var metadata = DicomMetadata(
            rows: Int(info.rows), columns: Int(info.columns),
            pixelSpacing: file.numbers(0x0028, 0x0030) ?? file.numbers(0x0018, 0x1164),
            bitsAllocated: Int(info.bits_allocated), bitsStored: Int(info.bits_stored), highBit: Int(info.high_bit),
            pixelRepresentation: Int(info.pixel_representation), samplesPerPixel: Int(info.samples_per_pixel),
            photometricInterpretation: file.string(0x0028, 0x0004) ?? "",
            transferSyntaxUID: uid, transferSyntaxName: name.isEmpty ? "unknown (\(uid))" : name,
            numberOfFrames: Int(info.number_of_frames),
            modality: file.string(0x0008, 0x0060), viewPosition: file.string(0x0018, 0x5101),
            studyDate: file.string(0x0008, 0x0020), studyTime: file.string(0x0008, 0x0030),
            manufacturer: file.string(0x0008, 0x0070), sopClassUID: file.string(0x0008, 0x0016),
            sopInstanceUID: file.string(0x0008, 0x0018), studyInstanceUID: file.string(0x0020, 0x000D),
            seriesInstanceUID: file.string(0x0020, 0x000E), patientID: file.string(0x0010, 0x0020),
            rescaleSlope: file.number(0x0028, 0x1053), rescaleIntercept: file.number(0x0028, 0x1052),
            hasModalityLUT: modalityLUT != nil,
            hasVOILUT: file.lut(Int32(CARINA_DCM_LUT_VOI)) != nil,
            windowCenter: file.number(0x0028, 0x1050), windowWidth: file.number(0x0028, 0x1051),
            voiLUTFunction: file.string(0x0028, 0x1056),
            rawValueOffset: 0, rawValueScale: 1, rawValueExact: true, rawValueRange: [0, 0])
        let mapping = RawMapping(metadata: metadata, modalityLUT: modalityLUT)
        metadata.rawValueOffset = mapping.offset
        metadata.rawValueScale = mapping.scale
        metadata.rawValueRange = [mapping.low, mapping.high]
        metadata.rawValueExact = mapping.exact
        return metadata
    }
}
