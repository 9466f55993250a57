namespace MLNet.CnnDiagnostics.Scans;

/// <summary>
/// The images an <see cref="ActivationScan"/> reads: items 0..<see cref="Count"/>−1 in a fixed order, each a model input
/// [C, H, W] of <see cref="ItemShape"/>. Implementations must allow concurrent <see cref="Load"/> calls (the scan decodes
/// in parallel with inference).
/// </summary>
public interface IScanSource
{
    /// <summary>Number of items in the whole dataset (all shards).</summary>
    long Count { get; }

    /// <summary>The shape [C, H, W] of one item.</summary>
    IReadOnlyList<int> ItemShape { get; }

    /// <summary>
    /// Identifies the dataset and its preprocessing (e.g. a hash of the file list and the image size): a checkpoint or a
    /// shard made from another dataset is refused instead of being continued or merged.
    /// </summary>
    byte[] Fingerprint { get; }

    /// <summary>The stable key of an item that decides its shard (e.g. the file's path relative to the dataset folder).</summary>
    string Key(long id);

    /// <summary>
    /// Loads items <paramref name="ids"/> into <paramref name="target"/> (item i at offset i × C·H·W). An item that cannot be
    /// read gets a one-line reason in <paramref name="errors"/>[i] (it is skipped and listed); the others leave it null.
    /// </summary>
    void Load(IReadOnlyList<long> ids, Span<float> target, string?[] errors);
}
