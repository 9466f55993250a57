namespace MLNet.CnnDiagnostics.Analysis.Metrics;

/// <summary>Spearman's rank correlation, with tied values given their average rank.</summary>
public static class RankCorrelation
{
    /// <summary>Spearman's ρ between two equally long series (NaN when either is constant).</summary>
    public static double Spearman(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"series of {a.Length} and {b.Length} values cannot be correlated; they must have the same length.");
        if (a.Length < 2) throw new ArgumentException($"{a.Length} value(s) cannot be correlated; at least 2 are needed.");
        var ra = Ranks(a);
        var rb = Ranks(b);
        double ma = ra.Average(), mb = rb.Average(), num = 0, da = 0, db = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            num += (ra[i] - ma) * (rb[i] - mb);
            da += (ra[i] - ma) * (ra[i] - ma);
            db += (rb[i] - mb) * (rb[i] - mb);
        }
        return num / Math.Sqrt(da * db);
    }

    private static double[] Ranks(ReadOnlySpan<float> values)
    {
        var v = values.ToArray();
        var order = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray();
        var ranks = new double[v.Length];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && v[order[end + 1]] == v[order[start]]) end++;
            double rank = (start + end) / 2.0;
            for (int k = start; k <= end; k++) ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }
}
