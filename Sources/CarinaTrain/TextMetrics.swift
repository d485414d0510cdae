import Foundation

/// Scores of generated text against references, on whitespace-separated lowercased words (the WordPiece decoder's
/// words): corpus BLEU-1…4 and mean sentence ROUGE-L, as report-generation papers (and HybridMED) tabulate them.
public enum TextMetrics {
    /// Lowercased words, punctuation split off as its own token.
    public static func words(_ text: String) -> [String] {
        var out = [String](), cur = ""
        for ch in text.lowercased() {
            if ch.isLetter || ch.isNumber || ch == "-" || ch == "'" {
                cur.append(ch)
            } else {
                if !cur.isEmpty { out.append(cur); cur = "" }
                if !ch.isWhitespace { out.append(String(ch)) }
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    /// Corpus BLEU-1…`maxOrder` (Papineni et al. 2002): clipped n-gram counts summed over the corpus, the geometric
    /// mean of the precisions of orders 1…n with uniform weights, brevity penalty `exp(1 − r/c)` when the corpus of
    /// candidates is shorter than the references; no smoothing (a zero precision gives 0).
    public static func bleu(candidates: [[String]], references: [[String]], maxOrder: Int = 4) -> [Double] {
        precondition(candidates.count == references.count, "one reference per candidate")
        var matched = [Int](repeating: 0, count: maxOrder), total = [Int](repeating: 0, count: maxOrder)
        var c = 0, r = 0
        for (cand, ref) in zip(candidates, references) {
            c += cand.count
            r += ref.count
            for n in 1...maxOrder {
                let cg = ngrams(cand, n), rg = ngrams(ref, n)
                for (g, k) in cg { matched[n - 1] += min(k, rg[g] ?? 0) }
                total[n - 1] += max(cand.count - n + 1, 0)
            }
        }
        let bp = c == 0 ? 0 : (c >= r ? 1 : Foundation.exp(1 - Double(r) / Double(c)))
        var scores = [Double](), logSum = 0.0
        for n in 1...maxOrder {
            let p = total[n - 1] == 0 ? 0 : Double(matched[n - 1]) / Double(total[n - 1])
            logSum += p > 0 ? Foundation.log(p) : -.infinity
            scores.append(bp * Foundation.exp(logSum / Double(n)))
        }
        return scores
    }

    /// ROUGE-L F1 (Lin 2004, β = 1): longest common subsequence over the candidate's and the reference's lengths,
    /// averaged over the pairs.
    public static func rougeL(candidates: [[String]], references: [[String]]) -> Double {
        precondition(candidates.count == references.count, "one reference per candidate")
        guard !candidates.isEmpty else { return 0 }
        var sum = 0.0
        for (cand, ref) in zip(candidates, references) where !cand.isEmpty && !ref.isEmpty {
            let l = Double(lcs(cand, ref))
            let p = l / Double(cand.count), rc = l / Double(ref.count)
            if p + rc > 0 { sum += 2 * p * rc / (p + rc) }
        }
        return sum / Double(candidates.count)
    }

    static func ngrams(_ w: [String], _ n: Int) -> [[String]: Int] {
        var out = [[String]: Int]()
        if w.count >= n { for i in 0...(w.count - n) { out[Array(w[i..<(i + n)]), default: 0] += 1 } }
        return out
    }

    static func lcs(_ a: [String], _ b: [String]) -> Int {
        var prev = [Int](repeating: 0, count: b.count + 1), cur = prev
        for x in a {
            for (j, y) in b.enumerated() { cur[j + 1] = x == y ? prev[j] + 1 : max(prev[j + 1], cur[j]) }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
