using System.Text;

namespace MLNet.CnnDiagnostics.Scans;

/// <summary>What a scan was made from and its settings; two states merge or resume only when their headers agree.</summary>
public sealed record ScanHeader
{
    /// <summary>SHA-256 of the model as run (with any input normalisation).</summary>
    public required byte[] ModelFingerprint { get; init; }

    /// <summary>The dataset's fingerprint (<see cref="IScanSource.Fingerprint"/>).</summary>
    public required byte[] SourceFingerprint { get; init; }

    /// <summary>Items in the whole dataset.</summary>
    public required long SourceCount { get; init; }

    /// <summary>The number of shards the dataset is split into (1: no split).</summary>
    public required int ShardCount { get; init; }

    /// <summary>Hits kept per channel.</summary>
    public required int K { get; init; }

    /// <summary>Relative accuracy of the quantile sketches.</summary>
    public required double RelativeAccuracy { get; init; }

    /// <summary>The embedding tensor (one row of the embedding table per image).</summary>
    public required string EmbeddingTensor { get; init; }

    /// <summary>Values per embedding row.</summary>
    public required int EmbeddingDimension { get; init; }

    /// <summary>The class-score tensor whose arg-max is the prediction.</summary>
    public required string LogitsTensor { get; init; }

    /// <summary>Number of class scores.</summary>
    public required int Classes { get; init; }

    /// <summary>The investigated layers' tensors.</summary>
    public required IReadOnlyList<string> Layers { get; init; }

    /// <summary>Channels of each investigated layer.</summary>
    public required IReadOnlyList<int> LayerChannels { get; init; }

    /// <summary>The first difference from <paramref name="other"/> that forbids merging or resuming, or null when they agree.</summary>
    public string? Difference(ScanHeader other, bool sameShardCount = true)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!ModelFingerprint.AsSpan().SequenceEqual(other.ModelFingerprint)) return "they were made with different models (or different --mean/--std)";
        if (!SourceFingerprint.AsSpan().SequenceEqual(other.SourceFingerprint) || SourceCount != other.SourceCount)
            return $"they were made from different datasets or image sizes ({SourceCount} and {other.SourceCount} images listed)";
        if (sameShardCount && ShardCount != other.ShardCount) return $"the dataset is split into {ShardCount} shards in one and into {other.ShardCount} shards in the other";
        if (K != other.K) return $"one keeps k = {K} patches per channel, the other k = {other.K}";
        if (RelativeAccuracy != other.RelativeAccuracy) return $"their quantile accuracies differ ({RelativeAccuracy} and {other.RelativeAccuracy})";
        if (!Layers.SequenceEqual(other.Layers) || !LayerChannels.SequenceEqual(other.LayerChannels)) return $"they scan different layers ({string.Join(", ", Layers)} and {string.Join(", ", other.Layers)})";
        if (EmbeddingTensor != other.EmbeddingTensor || LogitsTensor != other.LogitsTensor)
            return $"they take the embedding and prediction from different tensors ({EmbeddingTensor}, {LogitsTensor} and {other.EmbeddingTensor}, {other.LogitsTensor})";
        return null;
    }

    internal void WriteTo(BinaryWriter w)
    {
        w.Write(ModelFingerprint.Length);
        w.Write(ModelFingerprint);
        w.Write(SourceFingerprint.Length);
        w.Write(SourceFingerprint);
        w.Write(SourceCount);
        w.Write(ShardCount);
        w.Write(K);
        w.Write(RelativeAccuracy);
        w.Write(EmbeddingTensor);
        w.Write(EmbeddingDimension);
        w.Write(LogitsTensor);
        w.Write(Classes);
        w.Write(Layers.Count);
        foreach (var l in Layers) w.Write(l);
        foreach (var c in LayerChannels) w.Write(c);
    }

    internal static ScanHeader ReadFrom(BinaryReader r, string source)
    {
        byte[] Bytes()
        {
            int n = r.ReadInt32();
            if (n < 0 || n > 1024) throw new CnnDiagnosticsException($"'{source}' declares a fingerprint of {n} bytes; valid is 0..1024.");
            return r.ReadBytes(n);
        }
        var model = Bytes();
        var data = Bytes();
        long count = r.ReadInt64();
        int shards = r.ReadInt32(), k = r.ReadInt32();
        double accuracy = r.ReadDouble();
        string embedding = r.ReadString();
        int dimension = r.ReadInt32();
        string logits = r.ReadString();
        int classes = r.ReadInt32();
        int layers = r.ReadInt32();
        if (count < 0 || shards < 1 || shards > ScanShard.MaxCount || k < 1 || dimension < 1 || classes < 1 || layers < 0 || layers > 4096)
            throw new CnnDiagnosticsException($"'{source}' has an invalid scan header ({count} images, {shards} shards, k = {k}, dimension {dimension}, {classes} classes, {layers} layers).");
        return new ScanHeader
        {
            ModelFingerprint = model, SourceFingerprint = data, SourceCount = count, ShardCount = shards, K = k, RelativeAccuracy = accuracy,
            EmbeddingTensor = embedding, EmbeddingDimension = dimension, LogitsTensor = logits, Classes = classes,
            Layers = Enumerable.Range(0, layers).Select(_ => r.ReadString()).ToArray(),
            LayerChannels = Enumerable.Range(0, layers).Select(_ => r.ReadInt32()).ToArray(),
        };
    }

    /// <summary>Equality by value, including the fingerprints' bytes.</summary>
    public bool Equals(ScanHeader? other) => other is not null && ShardCount == other.ShardCount && Difference(other) is null
        && EmbeddingDimension == other.EmbeddingDimension && Classes == other.Classes;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(SourceCount, ShardCount, K, EmbeddingTensor);
}
