import Foundation

extension MDSShardWriter {
    /// Inspects the folder: refuses an existing dataset unless resuming; when resuming, keeps the shards the progress
    /// file (or a finished `index.json`) lists and removes temporary and unlisted shard files.
    func openExisting(resume: Bool) throws(ShardError) {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
        let indexPath = (directory as NSString).appendingPathComponent(MDSIndex.fileName)
        let progressPath = (directory as NSString).appendingPathComponent(MDSShardWriter.progressFileName)
        // Only Carina's own files: index, progress, shards, sidecars, the sample spool, and their temporaries.
        let isOurs = { (name: String) -> Bool in
            let base = name.hasSuffix(DurableFile.temporarySuffix) ? String(name.dropLast(DurableFile.temporarySuffix.count)) : name
            return base == MDSIndex.fileName || base == MDSShardWriter.progressFileName || name == ShardSpool.fileName
                || (base.hasPrefix("shard.") && (base.hasSuffix(".mds") || base.hasSuffix(".mds" + CRCSidecar.suffix)))
        }
        guard names.contains(where: isOurs) else { return }
        guard resume else {
            throw ShardError(.conflict, "\(directory) already holds an MDS dataset or an interrupted run; "
                + "resume it or write to an empty folder")
        }
        var listed = [MDSShardEntry]()
        var complete = false
        if fm.fileExists(atPath: indexPath) {
            listed = try MDSIndex(directory: directory).shards
            complete = true
        } else if fm.fileExists(atPath: progressPath) {
            listed = try MDSIndex(decoding: DurableFile.read(progressPath), name: progressPath).shards
        }
        for (i, entry) in listed.enumerated() {
            guard entry.columns == columns, entry.sizeLimit == sizeLimit, entry.hashAlgorithms == hashes.map(\.rawValue),
                entry.basename == MDSShardWriter.shardName(i)
            else {
                throw ShardError(.conflict, "\(directory): the interrupted run used other columns, size limit or hashes "
                    + "(shard \(entry.basename)); resume with the same options or start in an empty folder")
            }
            let shardPath = (directory as NSString).appendingPathComponent(entry.basename)
            let size = (try? fm.attributesOfItem(atPath: shardPath)[.size] as? Int) ?? nil
            guard size == entry.bytes,
                fm.fileExists(atPath: shardPath + CRCSidecar.suffix)
            else {
                throw ShardError(.malformed, "\(shardPath): listed as complete but missing, resized or without its "
                    + "sidecar; the folder was changed after the interruption — start in an empty folder")
            }
        }
        let keep = Set(listed.flatMap { [$0.basename, $0.basename + CRCSidecar.suffix] })
        for name in names where isOurs(name) && !keep.contains(name) && name != MDSIndex.fileName
            && name != MDSShardWriter.progressFileName {
            try? fm.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
        restore(entries: listed, finished: complete)
    }
}
