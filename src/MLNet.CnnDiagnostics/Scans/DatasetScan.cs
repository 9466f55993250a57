using System.Security.Cryptography;
using MLNet.CnnDiagnostics.Onnx;

namespace MLNet.CnnDiagnostics.Scans;

/// <summary>
/// A finished scan opened for a report: its state and tables, checked against the model and the dataset it claims to
/// come from, with a way to load any scanned image by id (for top patches, masks and thumbnails).
/// </summary>
public sealed class DatasetScan
{
    private readonly IScanSource _source;
    private readonly Func<long, string?>? _label;

    private DatasetScan(ScanState state, ScanTable table, IScanSource source, Func<long, string?>? label)
    {
        State = state;
        Table = table;
        _source = source;
        _label = label;
    }

    /// <summary>The merged or single-pass state: per layer top patches and quantile sketches.</summary>
    public ScanState State { get; }

    /// <summary>Every scanned image's id, embedding and prediction.</summary>
    public ScanTable Table { get; }

    /// <summary>
    /// Opens the finished scan in <paramref name="folder"/> made with <paramref name="model"/> over <paramref name="source"/>;
    /// <paramref name="label"/> gives an image's class name (null without labels).
    /// </summary>
    /// <exception cref="CnnDiagnosticsException">The scan is unfinished, or was made with another model or dataset.</exception>
    public static DatasetScan Open(string folder, ModelGraph model, IScanSource source, Func<long, string?>? label = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        var state = ScanFolder.Load(folder);
        if (!state.IsComplete || state.Header.ShardCount != 1)
            throw new CnnDiagnosticsException(state.IsComplete
                ? $"the scan in '{folder}' covers shard(s) {string.Join(",", state.Shards)} of {state.Header.ShardCount}; merge all shards (cnndiag merge) before reporting."
                : $"the scan in '{folder}' is unfinished ({state.Done} of {state.Planned} images); run its scan command again to finish it.");
        if (!SHA256.HashData(model.ToBytes()).AsSpan().SequenceEqual(state.Header.ModelFingerprint))
            throw new CnnDiagnosticsException($"the scan in '{folder}' was made with another model (or other --mean/--std) than this report's; scan again with this model.");
        if (!source.Fingerprint.AsSpan().SequenceEqual(state.Header.SourceFingerprint) || source.Count != state.Header.SourceCount)
            throw new CnnDiagnosticsException($"the scan in '{folder}' was made over another image folder or image size ({state.Header.SourceCount} images then, {source.Count} now); scan this folder again.");
        return new DatasetScan(state, ScanTable.Read(folder, state), source, label);
    }

    /// <summary>The model input [1, C, H, W] of image <paramref name="id"/>.</summary>
    /// <exception cref="CnnDiagnosticsException">The image can no longer be read.</exception>
    public FloatTensor Image(long id)
    {
        var shape = _source.ItemShape;
        var image = new FloatTensor([1, .. shape]);
        var errors = new string?[1];
        _source.Load([id], image.Data, errors);
        if (errors[0] is { } why) throw new CnnDiagnosticsException($"scanned image {id} ('{_source.Key(id)}') {why}.");
        return image;
    }

    /// <summary>The class name of image <paramref name="id"/>, or null.</summary>
    public string? Label(long id) => _label?.Invoke(id);

    /// <summary>The dataset key (file path) of image <paramref name="id"/>.</summary>
    public string Key(long id) => _source.Key(id);
}
