import CarinaLoader
import CarinaTensor
import CarinaTrain
import Foundation

// Times training steps of carina-tiny on random inputs shaped as in ../shared/bench/trainer_baseline.py
// (ids in 1000..<V with CLS 101, impression lengths 16–64, findings 48–128, 10% positive concepts), the same work per
// step (forward, backward, AdamW; no clipping, as the reference) and prints one JSON line.
// Usage: carina-trainer-bench [--batch 32] [--threads 2] [--steps 10] [--warmup 2] [--config FILE] [--seed 0]
//                             [--trim 1]   (0: run the text encoders over all T positions, as the reference does)
//                             [--objectives default|mgca|mrm|cga|hybridmed]   (mgca: MGCA's combination with 500 prototypes, the
//                             report text joined, temperature 0.07, against Scripts/trainer-mgca-reference.py
//                             --bench-steps; cga: global plus the four cascade stages over 8 findings entities and 4
//                             edges per sample, against Scripts/trainer-cga-reference.py --bench-steps; hybridmed:
//                             the hybridmed preset with a 128,2,4,512 impression decoder, against
//                             Scripts/trainer-hybridmed-reference.py --bench-steps; FLOPs counted as default's)
//        carina-trainer-bench --nih PREFIX [--epochs 10] [--threads 2] [--seed 0]   (the NIH1000 learning check)

var args = [String: String]()
var it = CommandLine.arguments.dropFirst().makeIterator()
while let a = it.next() {
    guard a.hasPrefix("--"), let v = it.next() else { FileHandle.standardError.write(Data("bad argument \(a)\n".utf8)); exit(2) }
    args[String(a.dropFirst(2))] = v
}
if let nih = args["nih"] {
    let result = try NIHCheck.run(prefix: nih, epochs: Int(args["epochs"] ?? "10")!, threads: Int(args["threads"] ?? "2")!,
                                  seed: UInt64(args["seed"] ?? "0")!)
    print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
    exit(0)
}
let batchSize = Int(args["batch"] ?? "32")!, threads = Int(args["threads"] ?? "2")!
let steps = Int(args["steps"] ?? "10")!, warmup = Int(args["warmup"] ?? "2")!, seed = UInt64(args["seed"] ?? "0")!
var config = try args["config"].map { try ModelConfig.load(path: $0) } ?? .carinaTiny
let objectiveSet = args["objectives"] ?? "default"
let mgca = objectiveSet == "mgca", mrm = objectiveSet == "mrm", cga = objectiveSet == "cga"
let hybridmed = objectiveSet == "hybridmed"
if hybridmed { config.impressionDecoder = .init(width: 128, depth: 2, heads: 4, mlp: 512) }
if mgca { config.prototypes = 500 }
if cga { config.graphAlignment = true }
if mrm {
    config.maskedImageDecoder = .init(width: 128, depth: 2, heads: 4, mlp: 512)
    config.maskedReportHead = true
}

var rng = SeededGenerator(seed: seed &+ 1)
let s = config.imageSize, t = config.textLength
@MainActor func text(_ lo: Int, _ hi: Int) -> ([Int32], [Float]) {
    var ids = [Int32](repeating: 0, count: batchSize * t), mask = [Float](repeating: 0, count: batchSize * t)
    for b in 0..<batchSize {
        let len = min(t, lo + Int(rng.next() % UInt64(hi - lo + 1)))
        for i in 0..<t {
            ids[b * t + i] = i == 0 ? 101 : Int32(1000 + Int(rng.next() % UInt64(config.vocabSize - 1000)))
            mask[b * t + i] = i < len ? 1 : 0
        }
    }
    return (ids, mask)
}
let (imp, impMask) = text(16, 64)
var (fin, finMask) = text(48, 128)
var impIDs = imp
if mgca || mrm || hybridmed {  // [SEP] last, as the loader writes it (the token level leaves it out of the words)
    for b in 0..<batchSize { fin[b * t + Int(finMask[(b * t)..<((b + 1) * t)].reduce(0, +)) - 1] = 102 }
}
if hybridmed {  // and at the impression's end, the decoder's last target
    for b in 0..<batchSize { impIDs[b * t + Int(impMask[(b * t)..<((b + 1) * t)].reduce(0, +)) - 1] = 102 }
}
var batch = TrainingBatch(
    batchSize: batchSize, imageSize: s, textLength: t, conceptCount: config.concepts,
    images: (0..<(batchSize * s * s)).map { _ in Float(rng.normal()) }, impressionIDs: impIDs, impressionMask: impMask,
    findingsIDs: fin, findingsMask: finMask,
    concepts: (0..<(batchSize * config.concepts)).map { _ in rng.nextUnitDouble() < 0.1 ? 1 : 0 }, keys: [])
if cga {  // the reference's graph: 8 findings entities a sample (spans of 1–2 tokens in its first 45 positions,
    // anatomy and pathology alternating, all present) and 4 edges joining consecutive pairs, of random type
    let n = 8, e = 4
    batch.maxEntities = n; batch.maxRelations = e
    batch.entityText = [Int32](repeating: 1, count: batchSize * n)
    batch.entityStart = (0..<(batchSize * n)).map { _ in Int32(1 + Int(rng.next() % 44)) }
    batch.entityEnd = batch.entityStart.map { $0 + Int32(1 + Int(rng.next() % 2)) }
    batch.entityKind = (0..<(batchSize * n)).map { Int32($0 % 2) }
    batch.entityCertainty = [Int32](repeating: 0, count: batchSize * n)
    batch.entityConcept = [Int32](repeating: -1, count: batchSize * n)
    batch.entityMask = [Float](repeating: 1, count: batchSize * n)
    batch.relations = []
    for r in 0..<(batchSize * e) {
        let head = Int32(2 * (r % e))
        batch.relations += [head, head + 1, Int32(rng.next() % 3)]
    }
    batch.relationMask = [Float](repeating: 1, count: batchSize * e)
}

let trainer = try Trainer(config: config, options: TrainOptions(
    steps: warmup + steps, batchSize: batchSize, learningRate: 1e-4, warmupSteps: 0, minimumLearningRateRatio: 1,
    weightDecay: 0.05, clipNorm: 0,
    lossWeights: mgca ? .mgca : mrm ? .mrm : cga ? .cga : hybridmed ? .hybridmed : LossWeights(),
    objectives: mgca ? ObjectiveSettings(instanceText: .both, instance: InstanceAlignment(fixedTemperature: 0.07))
        : ObjectiveSettings(),
    words: WordSegmenter(separatorID: 102), seed: seed, threads: threads))
let trim = (args["trim"] ?? "1") != "0"
trainer.model.trimPadding = trim
/// CPU time of the whole process (all threads), seconds: on a shared machine this, unlike wall time, does not
/// grow with other people's load (Carina's threads block rather than spin when idle).
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
var times = [Double](), cpuTimes = [Double](), losses = [Double]()
for i in 0..<(warmup + steps) {
    let t0 = DispatchTime.now().uptimeNanoseconds, c0 = processCPUSeconds()
    let r = try trainer.trainStep(batch)
    let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9, dc = processCPUSeconds() - c0
    if i >= warmup { times.append(dt); cpuTimes.append(dc) }
    losses.append(r.loss.total)
}
let median = times.sorted()[times.count / 2]

// Analytic forward FLOPs per sample, the reference's formula (trainer_baseline.forward_flops).
let d = Double(config.width), m = Double(config.mlp), e = Double(config.projection), l = Double(t)
let k = Double(config.concepts), p = Double(config.patchCount), pp = Double(config.patchSize * config.patchSize)
func block(_ n: Double) -> Double { n * (4 * d * d + 2 * d * m) + 2 * n * n * d }
let depth = Double(config.depth)
let image = p * pp * d + depth * block(p + 1) + d * e + p * d * e
let textF = 2 * depth * block(l) + d * e + (l - 1) * d * e
// MGCA's token level both ways (word→patch attention and context, word similarities; patch→word the same with the
// P×P similarities), prototype scores of both sides (K = 500), global logits; no local or entity head.
let lossF = mgca
    ? 2 * (l - 1) * p * e + (l - 1) * (l - 1) * e + 2 * p * (l - 1) * e + p * p * e + 2 * 500 * e + Double(batchSize) * e
    : 2 * (l - 1) * p * e + (l - 1) * (l - 1) * e + Double(batchSize) * e + e * k
var fwd = 2 * (image + textF + lossF)
if mrm {  // the reference's count: encoder on CLS + visible, decoder on all, one text run, tied prediction on half
    let dd = 128.0, dm = 512.0, pp2 = pp, keep = Double(MaskedImageModelling.keepCount(patches: config.patchCount, ratio: 0.75))
    func dblock(_ n: Double) -> Double { n * (4 * dd * dd + 2 * dd * dm) + 2 * n * n * dd }
    let img = p * pp2 * d + depth * block(keep + 1) + (keep + 1) * d * dd + 2 * dblock(p + 1) + (p + 1) * dd * pp2
    let txt = depth * block(l) + d * d + 0.5 * (l - 2) * d * Double(config.vocabSize)
    fwd = 2 * (img + txt)
}
func r1(_ x: Double) -> Double { (x * 10).rounded() / 10 }
let out: [String: Any] = [
    "script": "carina-trainer-bench", "batch": batchSize, "threads": threads, "image_size": s, "depth": config.depth,
    "steps": steps, "ms_per_step": r1(median * 1000), "trim_padding": trim, "objectives": objectiveSet,
    "cpu_ms_per_step": r1(cpuTimes.sorted()[cpuTimes.count / 2] * 1000), "ms_per_step_min": r1(times.min()! * 1000),
    "samples_per_s": r1(Double(batchSize) / median), "params": trainer.model.arena.count,
    "fwd_gflops_per_sample": (fwd / 1e6).rounded() / 1e3,
    "train_gflops_per_s_approx": r1(3 * fwd * Double(batchSize) / median / 1e9),
    "loss_first_last": [(losses.first! * 1e4).rounded() / 1e4, (losses.last! * 1e4).rounded() / 1e4],
]
let json = try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
