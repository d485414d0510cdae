/// Retrieval and classification metrics of the evaluation.
public enum Metrics {
    /// Recall@k for each k: the fraction of queries whose matching item (the same index) ranks within the top k of
    /// `similarity (N, N)` row `i` (query i against every item). Ties rank the match after equal scores (pessimistic).
    public static func recall(similarity s: [Float], count n: Int, ks: [Int]) -> [Int: Double] {
        precondition(s.count == n * n, "similarity must be N×N")
        var hits = [Int: Int](uniqueKeysWithValues: ks.map { ($0, 0) })
        for i in 0..<n {
            let target = s[i * n + i]
            var rank = 0  // items scoring at least the match, other than the match itself
            for j in 0..<n where j != i && s[i * n + j] >= target { rank += 1 }
            for k in ks where rank < k { hits[k]! += 1 }
        }
        return hits.mapValues { n == 0 ? 0 : Double($0) / Double(n) }
    }

    /// The transpose of an `N×N` matrix (report→image retrieval from image→report similarities).
    public static func transpose(_ s: [Float], count n: Int) -> [Float] {
        var t = [Float](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { t[j * n + i] = s[i * n + j] } }
        return t
    }

    /// Area under the ROC curve (Mann–Whitney U with average ranks for ties); nil without both classes.
    public static func auroc(scores: [Double], labels: [Bool]) -> Double? {
        precondition(scores.count == labels.count, "one label per score")
        let pos = labels.filter { $0 }.count, neg = labels.count - pos
        guard pos > 0, neg > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSumPos = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let avgRank = Double(i + j) / 2 + 1
            for k in i...j where labels[order[k]] { rankSumPos += avgRank }
            i = j + 1
        }
        return (rankSumPos - Double(pos * (pos + 1)) / 2) / Double(pos * neg)
    }
}
