namespace MLNet.CnnDiagnostics.Analysis.Attribution.Faithfulness;

/// <summary>
/// A deletion or insertion curve of one image: the target's score after each step, against the fraction of pixels
/// replaced so far (0 to 1), and the area under it.
/// </summary>
public sealed class CausalCurve
{
    /// <summary>Creates a curve from its points; fractions rise from 0 to 1.</summary>
    public CausalCurve(CausalMetricKind kind, double[] fractions, float[] scores)
    {
        ArgumentNullException.ThrowIfNull(fractions);
        ArgumentNullException.ThrowIfNull(scores);
        if (fractions.Length != scores.Length || fractions.Length < 2)
            throw new ArgumentException($"a curve needs at least two points and one score per fraction; got {fractions.Length} fractions and {scores.Length} scores.", nameof(scores));
        Kind = kind;
        Fractions = fractions;
        Scores = scores;
    }

    /// <summary>Deletion or insertion.</summary>
    public CausalMetricKind Kind { get; }

    /// <summary>Fraction of the image's pixels replaced at each point: 0 first, 1 last.</summary>
    public double[] Fractions { get; }

    /// <summary>The target's score at each point (first: the unchanged start, last: the other end).</summary>
    public float[] Scores { get; }

    /// <summary>Area under the curve by the trapezoid rule over the fractions (in the score's units; lower is better for deletion, higher for insertion).</summary>
    public double Area
    {
        get
        {
            double area = 0;
            for (int k = 1; k < Scores.Length; k++) area += (Fractions[k] - Fractions[k - 1]) * ((double)Scores[k] + Scores[k - 1]) / 2;
            return area;
        }
    }

    /// <summary>The point-wise mean of curves on the same fractions (e.g. several random orders, or a dataset's images).</summary>
    public static CausalCurve Average(IReadOnlyList<CausalCurve> curves)
    {
        ArgumentNullException.ThrowIfNull(curves);
        if (curves.Count == 0) throw new ArgumentException("cannot average zero curves.", nameof(curves));
        var first = curves[0];
        var sums = new double[first.Scores.Length];
        foreach (var curve in curves)
        {
            if (curve.Kind != first.Kind || !curve.Fractions.AsSpan().SequenceEqual(first.Fractions))
                throw new ArgumentException("only curves of the same kind on the same fractions can be averaged.", nameof(curves));
            for (int k = 0; k < sums.Length; k++) sums[k] += curve.Scores[k];
        }
        return new CausalCurve(first.Kind, first.Fractions, sums.Select(s => (float)(s / curves.Count)).ToArray());
    }
}
