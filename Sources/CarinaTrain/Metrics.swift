/// Retrieval and classification metrics of the evaluation.
public enum Metrics {
    /// Recall@k for each k: the fraction of queries whose matching item (the same index) ranks within the top k of
    /// `similarity (N, N)` row `i` (query i against every item). Ties rank the match after equal scores (pessimistic).
    ///
    /// With `groups` (one label per item), every item of the query's group counts as a match: the best-scoring one
    /// is ranked against the items of other groups. Held-out reports with the same text (e.g. a templated "No acute
    /// cardiopulmonary process.") cannot be told apart by any model, so this is the recall they allow.
    public static func recall(similarity s: [Float], count n: Int, ks: [Int], groups: [Int]? = nil) -> [Int: Double] {
        precondition(s.count == n * n, "similarity must be N×N")
        precondition(groups == nil || groups!.count == n, "one group per item")
        var hits = [Int: Int](uniqueKeysWithValues: ks.map { ($0, 0) })
        for i in 0..<n {
            var target = s[i * n + i]
            if let g = groups { for j in 0..<n where g[j] == g[i] { target = max(target, s[i * n + j]) } }
            var rank = 0  // items of other groups (or, without groups, other items) scoring at least the match
            for j in 0..<n where j != i && (groups == nil || groups![j] != groups![i]) && s[i * n + j] >= target {
                rank += 1
            }
            for k in ks where rank < k { hits[k]! += 1 }
        }
        return hits.mapValues { n == 0 ? 0 : Double($0) / Double(n) }
    }

    /// Recall@1 of a random ranking with `groups`: the mean over queries of (group size / N).
    public static func chanceRecallAt1(groups: [Int]) -> Double {
        guard !groups.isEmpty else { return 0 }
        var size = [Int: Int]()
        for g in groups { size[g, default: 0] += 1 }
        return groups.reduce(0.0) { $0 + Double(size[$1]!) } / Double(groups.count * groups.count)
    }

    /// One label per text: equal labels for equal `(ids, mask)` rows of `length` tokens, numbered in first-seen order.
    public static func textGroups(ids: [Int32], mask: [Float], length t: Int) -> [Int] {
        var seen = [[Int32]: Int]()
        return (0..<(ids.count / t)).map { i in
            let key = (0..<t).map { mask[i * t + $0] > 0 ? ids[i * t + $0] : -1 }
            if let g = seen[key] { return g }
            seen[key] = seen.count
            return seen.count - 1
        }
    }

    /// Mean cosine over the pairs of different rows of `x` (`count × dimension`, unit-length rows); 1 for one row.
    public static func meanPairwiseCosine(_ x: [Float], count n: Int, dimension e: Int) -> Double {
        guard n > 1 else { return 1 }
        // Σ_{i≠j} xᵢ·xⱼ = |Σ xᵢ|² − Σ |xᵢ|².
        var sum = [Double](repeating: 0, count: e)
        var self2 = 0.0
        for i in 0..<n {
            for d in 0..<e {
                let v = Double(x[i * e + d])
                sum[d] += v
                self2 += v * v
            }
        }
        let total = sum.reduce(0) { $0 + $1 * $1 }
        return (total - self2) / Double(n * (n - 1))
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
