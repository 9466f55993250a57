namespace MLNet.CnnDiagnostics.Analysis.Activations;

/// <summary>
/// Streaming per-channel quantiles of a layer's activations over a dataset (every position of every image counts),
/// one <see cref="QuantileSketch"/> per channel: e.g. the top-0.5% threshold of each unit for Network Dissection masks.
/// Memory is O(channels × buckets), independent of the dataset size; <see cref="Merge"/> is exact.
/// </summary>
public sealed class ActivationQuantiles
{
    private const string Scan = "the activation quantile scan";

    /// <summary>The top fraction of activations Network Dissection keeps (Bau et al. 2017): 0.5%.</summary>
    public const double NetworkDissectionTopFraction = 0.005;

    private readonly QuantileSketch[] _sketches;

    /// <summary>Creates an empty scan for <paramref name="channels"/> channels with the given sketch accuracy (see <see cref="QuantileSketch"/>).</summary>
    public ActivationQuantiles(int channels, double relativeAccuracy = 0.005, int maxBuckets = 4096)
    {
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, $"channels is {channels}; a layer has at least one channel.");
        Channels = channels;
        _sketches = new QuantileSketch[channels];
        for (int c = 0; c < channels; c++) _sketches[c] = new QuantileSketch(relativeAccuracy, maxBuckets);
    }

    /// <summary>Number of channels.</summary>
    public int Channels { get; }

    /// <summary>Number of images scanned so far.</summary>
    public long ImageCount { get; private set; }

    /// <summary>The sketch of one channel.</summary>
    public QuantileSketch this[int channel] => _sketches[CheckChannel(channel)];

    /// <summary>Adds a batch [N, C, ...] (any number of spatial dimensions, including none).</summary>
    public void Add(FloatTensor activations)
    {
        ActivationBatch.RequireChannels(activations, Channels, Scan);
        int n = activations.Shape[0];
        int plane = n == 0 ? 0 : activations.Length / (n * Channels);
        var data = activations.Data;
        // a vectorised sum is NaN when any value is (or when +∞ meets −∞); only then is each value looked at
        if (float.IsNaN(System.Numerics.Tensors.TensorPrimitives.Sum(data)))
            for (int i = 0; i < data.Length; i++)
                if (float.IsNaN(data[i])) throw ActivationBatch.NaN(Scan, i / (Channels * plane), i / plane % Channels);
        // each channel's sketch is filled by one thread, its planes of every image gathered into one span (one fold call
        // instead of one per image: a 7×7 plane is too short to pay for a call); a sketch's state does not depend on the
        // order or grouping of its values, so this is the state of a value-by-value fold
        if (plane > 0)
            Parallel.For(0, Channels, c =>
            {
                var gathered = System.Buffers.ArrayPool<float>.Shared.Rent(n * plane);
                for (int item = 0; item < n; item++)
                    data.AsSpan((item * Channels + c) * plane, plane).CopyTo(gathered.AsSpan(item * plane));
                _sketches[c].AddRangeUnchecked(gathered.AsSpan(0, n * plane));
                System.Buffers.ArrayPool<float>.Shared.Return(gathered);
            });
        ImageCount += n;
    }

    /// <summary>Adds another shard's scan; afterwards this equals the scan of both shards.</summary>
    public void Merge(ActivationQuantiles other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Channels != Channels)
            throw new ArgumentException($"cannot merge a scan of {other.Channels} channels into one of {Channels} channels.", nameof(other));
        for (int c = 0; c < Channels; c++) _sketches[c].Merge(other._sketches[c]);
        ImageCount += other.ImageCount;
    }

    /// <summary>The p-quantile of one channel's activations.</summary>
    public float Quantile(int channel, double p)
    {
        CheckChannel(channel);
        RequireImages();
        return _sketches[channel].Quantile(p);
    }

    /// <summary>
    /// Per channel, the threshold above which the top <paramref name="topFraction"/> of its activations lie
    /// (the (1 − topFraction)-quantile); Network Dissection uses 0.005.
    /// </summary>
    public float[] TopThresholds(double topFraction = NetworkDissectionTopFraction)
    {
        if (!(topFraction > 0 && topFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(topFraction), topFraction, $"top fraction {topFraction} must lie strictly between 0 and 1 (0.005 for the top 0.5%).");
        RequireImages();
        return _sketches.Select(s => s.Quantile(1 - topFraction)).ToArray();
    }

    /// <summary>Writes the scan's state (image count and every channel's sketch) so another process can merge it.</summary>
    public void WriteTo(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(Channels);
        writer.Write(ImageCount);
        foreach (var sketch in _sketches) sketch.WriteTo(writer);
    }

    /// <summary>Reads a state written by <see cref="WriteTo"/>.</summary>
    /// <exception cref="CnnDiagnosticsException">The stream does not hold a valid state.</exception>
    public static ActivationQuantiles ReadFrom(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            int channels = reader.ReadInt32();
            if (channels <= 0 || channels > 1 << 20)
                throw new CnnDiagnosticsException($"the stream does not hold an activation quantile scan: it declares {channels} channels.");
            long images = reader.ReadInt64();
            var sketches = Enumerable.Range(0, channels).Select(_ => QuantileSketch.ReadFrom(reader)).ToArray();
            var scan = new ActivationQuantiles(channels, sketches[0].RelativeAccuracy, sketches[0].MaxBuckets) { ImageCount = images };
            for (int c = 0; c < channels; c++) scan._sketches[c] = sketches[c];
            return scan;
        }
        catch (EndOfStreamException e)
        {
            throw new CnnDiagnosticsException("the stream ends inside an activation quantile scan (truncated file?).", e);
        }
    }

    private void RequireImages()
    {
        if (ImageCount == 0 || _sketches[0].Count == 0)
            throw new CnnDiagnosticsException("the activation quantile scan has seen no activations (empty dataset); add at least one non-empty batch first.");
    }

    private int CheckChannel(int channel) => (uint)channel < (uint)Channels ? channel
        : throw new ArgumentOutOfRangeException(nameof(channel), channel, $"channel {channel} is outside 0..{Channels - 1}.");
}
