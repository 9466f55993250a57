using System.Globalization;
using System.Text;

namespace MLNet.CnnDiagnostics.Scans;

/// <summary>
/// Share <see cref="Index"/> of <see cref="Count"/> of a dataset: the items whose key (a file's relative path) hashes to
/// <see cref="Index"/> modulo <see cref="Count"/> (64-bit FNV-1a of the key's UTF-8 bytes). The share of a file depends on
/// its path alone, so every process computes the same split without talking to the others, and adding files moves no other file.
/// </summary>
public readonly record struct ScanShard
{
    /// <summary>The whole dataset (share 0 of 1).</summary>
    public static ScanShard All => new(0, 1);

    /// <summary>The largest number of shares a dataset may be split into.</summary>
    public const int MaxCount = 1 << 20;

    /// <summary>Share <paramref name="index"/> (0-based) of <paramref name="count"/>.</summary>
    public ScanShard(int index, int count)
    {
        if (count < 1 || count > MaxCount)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"shard count {count} must lie in 1..{MaxCount}.");
        if (index < 0 || index >= count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"shard index {index} must lie in 0..{count - 1} for {count} shards.");
        Index = index;
        Count = count;
    }

    /// <summary>The share, 0-based.</summary>
    public int Index { get; }

    /// <summary>The number of shares.</summary>
    public int Count { get; }

    /// <summary>Parses "i/n" (0 ≤ i &lt; n); anything else throws <see cref="FormatException"/> naming the text and the valid form.</summary>
    public static ScanShard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count))
            throw new FormatException($"shard '{text}' is not of the form i/n with whole numbers 0 ≤ i < n (e.g. 0/4 for the first of four).");
        if (count < 1 || count > MaxCount || index >= count)
            throw new FormatException($"shard '{text}' is out of range: in i/n, n must lie in 1..{MaxCount} and i in 0..n-1 (e.g. 0/{Math.Clamp(count, 1, MaxCount)}).");
        return new ScanShard(index, count);
    }

    /// <summary>Whether the item with this key belongs to this share.</summary>
    public bool Contains(string key) => Count == 1 || (int)(Hash(key) % (ulong)Count) == Index;

    /// <summary>64-bit FNV-1a of the key's UTF-8 bytes.</summary>
    public static ulong Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        ulong hash = 14695981039346656037UL;
        foreach (byte b in Encoding.UTF8.GetBytes(key))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Index}/{Count}";
}
