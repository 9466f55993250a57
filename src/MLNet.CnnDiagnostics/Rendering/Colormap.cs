
namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>
/// A 256-colour lookup table from a normalised value t ∈ [0, 1] to a colour. Entry i holds the colour of t = i/255;
/// <see cref="Map(double)"/> picks entry floor(t·256) (capped at 255), the rule matplotlib uses, so viridis(0.5) is entry 128.
/// </summary>
public sealed class Colormap
{
    private readonly RgbColor[] _table;

    private Colormap(string name, bool isDiverging, RgbColor[] table)
    {
        Name = name;
        IsDiverging = isDiverging;
        _table = table;
    }

    /// <summary>The map's name as shown in legends.</summary>
    public string Name { get; }

    /// <summary>True for a map meant for signed data, with a neutral colour in the middle (use it with a symmetric <see cref="ValueRange"/>).</summary>
    public bool IsDiverging { get; }

    /// <summary>Number of entries (256).</summary>
    public int Count => _table.Length;

    /// <summary>Entry <paramref name="index"/> of the table.</summary>
    public RgbColor this[int index] => _table[index];

    /// <summary>Viridis, perceptually uniform and readable in grey scale: the default map for activations.</summary>
    public static Colormap Viridis { get; } = new("viridis", false, BuildViridis());

    /// <summary>Black (0) to white (1).</summary>
    public static Colormap Grayscale { get; } = new("grayscale", false, Enumerable.Range(0, 256).Select(i => new RgbColor((byte)i, (byte)i, (byte)i)).ToArray());

    /// <summary>
    /// Diverging blue–white–red for signed values: dark blue #2166AC at 0, white at 0.5, dark red #B2182B at 1
    /// (the end colours of ColorBrewer's RdBu), linear in RGB between them.
    /// </summary>
    public static Colormap BlueWhiteRed { get; } = new("blue-white-red", true, BuildDiverging(new RgbColor(0x21, 0x66, 0xAC), RgbColors.White, new RgbColor(0xB2, 0x18, 0x2B)));

    /// <summary>The colour of the normalised value <paramref name="t"/> (clamped to [0, 1]; NaN is rejected).</summary>
    public RgbColor Map(double t)
    {
        if (double.IsNaN(t)) throw new ArgumentException("cannot colour NaN: the normalised value must be a number in [0, 1].", nameof(t));
        return _table[Level(t)];
    }

    /// <summary>The colour of <paramref name="value"/> placed in <paramref name="range"/>.</summary>
    public RgbColor Map(double value, ValueRange range)
    {
        if (double.IsNaN(value)) throw new ArgumentException("cannot colour NaN: the value must be a number.", nameof(value));
        return _table[range.ToLevel(value)];
    }

    /// <summary>The table entry for t ∈ [0, 1]: floor(t·256) capped to 0..255.</summary>
    internal static int Level(double t)
    {
        int i = (int)Math.Floor(t * 256);
        return i < 0 ? 0 : i > 255 ? 255 : i;
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    private static RgbColor[] BuildViridis()
    {
        var rgb = ViridisTable.Rgb;
        var table = new RgbColor[256];
        for (int i = 0; i < 256; i++)
            table[i] = new RgbColor(ToByte(rgb[3 * i]), ToByte(rgb[3 * i + 1]), ToByte(rgb[3 * i + 2]));
        return table;
    }

    private static RgbColor[] BuildDiverging(RgbColor low, RgbColor mid, RgbColor high)
    {
        var table = new RgbColor[256];
        for (int i = 0; i < 256; i++)
        {
            double t = i / 255.0;
            var (a, b, u) = t <= 0.5 ? (low, mid, t * 2) : (mid, high, t * 2 - 1);
            table[i] = new RgbColor(Lerp(a.Red, b.Red, u), Lerp(a.Green, b.Green, u), Lerp(a.Blue, b.Blue, u));
        }
        return table;
    }

    private static byte Lerp(byte a, byte b, double u) => (byte)Math.Round(a + (b - a) * u, MidpointRounding.AwayFromZero);

    private static byte ToByte(float v) => (byte)Math.Round(Math.Clamp(v, 0f, 1f) * 255.0, MidpointRounding.AwayFromZero);
}
