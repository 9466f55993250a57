using System.Text;
using MLNet.CnnDiagnostics.Analysis.Activations;

namespace MLNet.CnnDiagnostics.Scans;

/// <summary>
/// The mergeable, checkpointable state of a dataset scan: what it was made from (model and dataset fingerprints, the
/// shards it covers, its settings), how far it got, and per layer the top patches and quantile sketches. The per-image
/// embeddings and predictions live beside it in .npy tables (<see cref="ScanFolder"/>). The serialised form is canonical:
/// two states of the same images are byte-identical however the images were batched, split or merged.
/// </summary>
public sealed class ScanState
{
    private const string Magic = "MLNet.CnnDiagnostics scan state";
    private const int Version = 1;

    internal ScanState(ScanHeader header, IReadOnlyList<ScanLayerState> layers)
    {
        Header = header;
        Layers = layers;
    }

    /// <summary>What the scan was made from and its settings.</summary>
    public ScanHeader Header { get; }

    /// <summary>The investigated layers.</summary>
    public IReadOnlyList<ScanLayerState> Layers { get; }

    /// <summary>Shards this state covers, ascending (one entry, 0, with <see cref="ScanHeader.ShardCount"/> 1 for the whole dataset).</summary>
    public IReadOnlyList<int> Shards { get; internal set; } = [0];

    /// <summary>Items of the covered shards (scanned, skipped or still to do).</summary>
    public long Planned { get; internal set; }

    /// <summary>Items of the covered shards already taken in order (scanned or skipped): the resume point.</summary>
    public long Done { get; internal set; }

    /// <summary>Images scanned (rows of the embedding and prediction tables).</summary>
    public long Rows { get; internal set; }

    /// <summary>Images that could not be read, by id, with the reason (ascending id).</summary>
    public IReadOnlyList<(long Id, string Reason)> Skipped => _skipped;

    private readonly List<(long Id, string Reason)> _skipped = [];

    /// <summary>Whether every planned item has been taken.</summary>
    public bool IsComplete => Done == Planned;

    /// <summary>The layer state for <paramref name="tensor"/>.</summary>
    public ScanLayerState Layer(string tensor) =>
        Layers.FirstOrDefault(l => l.Tensor == tensor)
        ?? throw new CnnDiagnosticsException($"the scan has no layer '{tensor}'; {ClosestNames.Suggest(tensor, Layers.Select(l => l.Tensor))}; its layers: {string.Join(", ", Layers.Select(l => l.Tensor))}.");

    internal void AddSkipped(long id, string reason) => _skipped.Add((id, reason));

    internal void SortSkipped() => _skipped.Sort((a, b) => a.Id.CompareTo(b.Id));

    /// <summary>Writes the canonical form.</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(Version);
        Header.WriteTo(w);
        w.Write(Shards.Count);
        foreach (var s in Shards) w.Write(s);
        w.Write(Planned);
        w.Write(Done);
        w.Write(Rows);
        w.Write(_skipped.Count);
        foreach (var (id, reason) in _skipped)
        {
            w.Write(id);
            w.Write(reason);
        }
        w.Write(Layers.Count);
        w.Flush();
        foreach (var layer in Layers)
        {
            w.Write(layer.Tensor);
            w.Flush();
            layer.Patches.WriteTo(stream);
            layer.Quantiles.WriteTo(stream);
        }
    }

    /// <summary>Reads a state written by <see cref="WriteTo"/>; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="CnnDiagnosticsException">The data is not a scan state of this version, or is truncated.</exception>
    public static ScanState ReadFrom(Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            string magic;
            try { magic = r.ReadString(); }
            catch (Exception e) when (e is FormatException or DecoderFallbackException) { magic = ""; }
            if (magic != Magic) throw new CnnDiagnosticsException($"'{source}' is not a scan state (written by 'cnndiag scan' or ActivationScan).");
            int version = r.ReadInt32();
            if (version != Version) throw new CnnDiagnosticsException($"'{source}' is a scan state of version {version}; this library reads version {Version}.");
            var header = ScanHeader.ReadFrom(r, source);
            int shardCount = Count(r.ReadInt32(), header.ShardCount, "shards", source);
            var shards = Enumerable.Range(0, shardCount).Select(_ => r.ReadInt32()).ToArray();
            if (shards.Any(s => s < 0 || s >= header.ShardCount) || !shards.SequenceEqual(shards.Distinct().Order()))
                throw new CnnDiagnosticsException($"'{source}' lists shards {string.Join(",", shards)}, which are not distinct shards of {header.ShardCount}.");
            long planned = r.ReadInt64(), done = r.ReadInt64(), rows = r.ReadInt64();
            if (planned < 0 || done < 0 || done > planned || rows < 0 || rows > done || planned > header.SourceCount)
                throw new CnnDiagnosticsException($"'{source}' has inconsistent progress (planned {planned}, done {done}, rows {rows}, dataset {header.SourceCount}).");
            int skippedCount = Count(r.ReadInt32(), int.MaxValue, "skipped images", source);
            var skipped = new List<(long, string)>();
            for (int i = 0; i < skippedCount; i++) skipped.Add((r.ReadInt64(), r.ReadString()));
            if (rows + skipped.Count != done)
                throw new CnnDiagnosticsException($"'{source}' has {rows} scanned and {skipped.Count} skipped images but says {done} were taken.");
            int layerCount = Count(r.ReadInt32(), 4096, "layers", source);
            var layers = new List<ScanLayerState>();
            for (int i = 0; i < layerCount; i++)
            {
                string tensor = r.ReadString();
                layers.Add(new ScanLayerState(tensor, TopActivatingPatches.ReadFrom(stream), ActivationQuantiles.ReadFrom(stream)));
            }
            if (stream.CanSeek && stream.Position != stream.Length)
                throw new CnnDiagnosticsException($"'{source}' has {stream.Length - stream.Position} bytes after the scan state; the file was changed.");
            var state = new ScanState(header, layers) { Shards = shards, Planned = planned, Done = done, Rows = rows };
            state._skipped.AddRange(skipped);
            return state;
        }
        catch (EndOfStreamException e)
        {
            throw new CnnDiagnosticsException($"'{source}' ends inside the scan state (truncated file?).", e);
        }
    }

    private static int Count(int value, int max, string what, string source) =>
        value >= 0 && value <= max ? value : throw new CnnDiagnosticsException($"'{source}' declares {value} {what}; valid is 0..{max}.");
}
