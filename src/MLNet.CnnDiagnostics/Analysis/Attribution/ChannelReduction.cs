namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>
/// How an attribution with channels [N, C, h, w] becomes one value per position [N, h, w], by name: the one reduction the
/// report's gallery, the CLI's PNG and the faithfulness curves all apply, so a method's map is drawn and ranked the same way
/// everywhere. Maps without channels ([N, h, w]) pass through unchanged.
/// </summary>
public sealed class ChannelReduction
{
    private readonly Func<float, float> _value;
    private readonly Func<float, float, float> _combine;

    private ChannelReduction(string name, string description, bool keepsSign, Func<float, float> value, Func<float, float, float> combine)
    {
        Name = name;
        Description = description;
        KeepsSign = keepsSign;
        _value = value;
        _combine = combine;
    }

    /// <summary>The reduction's name as it appears in JSON and options: <c>max-abs</c>, <c>sum-abs</c> or <c>sum</c>.</summary>
    public string Name { get; }

    /// <summary>What the reduced value means, in one phrase.</summary>
    public string Description { get; }

    /// <summary>Whether reduced values keep their sign (zero is then the neutral point of the map).</summary>
    public bool KeepsSign { get; }

    /// <summary>max over channels of |a| (Simonyan et al. 2013): how strongly any colour channel matters.</summary>
    public static ChannelReduction MaxAbs { get; } = new("max-abs", "the largest |value| over channels", false, Math.Abs, Math.Max);

    /// <summary>Σ over channels of |a| (Captum's absolute-value view): total magnitude, ignoring sign.</summary>
    public static ChannelReduction SumAbs { get; } = new("sum-abs", "the sum of |value| over channels", false, Math.Abs, (a, b) => a + b);

    /// <summary>Σ over channels of a: a pixel's total signed contribution (integrated gradients' maps then sum to f(x) − f(x′)).</summary>
    public static ChannelReduction Sum { get; } = new("sum", "the signed sum over channels", true, v => v, (a, b) => a + b);

    /// <summary>Every reduction, by name.</summary>
    public static IReadOnlyList<ChannelReduction> All { get; } = [MaxAbs, SumAbs, Sum];

    /// <summary>The reduction called <paramref name="name"/> (case-insensitive).</summary>
    public static ChannelReduction Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new CnnDiagnosticsException($"channel reduction '{name}' is not known; valid: {string.Join(", ", All.Select(r => r.Name))}.");
    }

    /// <summary>[N, C, h, w] → [N, h, w] by this reduction; an [N, h, w] map is returned as it is.</summary>
    public FloatTensor Reduce(FloatTensor maps)
    {
        ArgumentNullException.ThrowIfNull(maps);
        if (maps.Rank == 3) return maps;
        if (maps.Rank != 4)
            throw new CnnDiagnosticsException($"attribution maps [{string.Join(",", maps.Shape)}] cannot be reduced over channels; expected [N, C, h, w] or [N, h, w].");
        int n = maps.Shape[0], c = maps.Shape[1], plane = maps.Shape[2] * maps.Shape[3];
        var result = new FloatTensor(n, maps.Shape[2], maps.Shape[3]);
        for (int i = 0; i < n; i++)
        for (int p = 0; p < plane; p++)
        {
            float acc = _value(maps.Data[i * c * plane + p]);
            for (int ch = 1; ch < c; ch++) acc = _combine(acc, _value(maps.Data[(i * c + ch) * plane + p]));
            result.Data[i * plane + p] = acc;
        }
        return result;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
