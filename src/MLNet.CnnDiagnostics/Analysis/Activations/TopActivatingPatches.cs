namespace MLNet.CnnDiagnostics.Analysis.Activations;

/// <summary>
/// A streaming scan that keeps, per channel of one layer, the k highest activations (value, image, position) seen over
/// any number of batches. Memory is O(channels × k), independent of the dataset size. The kept set is the unique top-k
/// under <see cref="ActivationHit"/>'s total order, so it does not depend on batch order, and <see cref="Merge"/> of two
/// shards' scans equals the scan of both shards (given distinct image ids).
/// </summary>
public sealed class TopActivatingPatches
{
    private const string Scan = "the top-activating-patches scan";

    // Per channel a binary heap whose root is the worst kept hit.
    private readonly ActivationHit[][] _heaps;
    private readonly int[] _counts;

    /// <summary>Creates an empty scan for a layer with <paramref name="channels"/> channels keeping <paramref name="k"/> hits each.</summary>
    public TopActivatingPatches(int channels, int k)
    {
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, $"channels is {channels}; a layer has at least one channel.");
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, $"k is {k}; keep at least one hit per channel (k ≥ 1).");
        Channels = channels;
        K = k;
        _heaps = new ActivationHit[channels][];
        for (int c = 0; c < channels; c++) _heaps[c] = new ActivationHit[k];
        _counts = new int[channels];
    }

    /// <summary>Number of channels scanned.</summary>
    public int Channels { get; }

    /// <summary>Number of hits kept per channel.</summary>
    public int K { get; }

    /// <summary>Number of images scanned so far (over all merged shards).</summary>
    public long ImageCount { get; private set; }

    /// <summary>Scans a batch [N, C, H, W] whose items are images <paramref name="firstImageId"/>, +1, ..., +N−1.</summary>
    public void Add(FloatTensor activations, long firstImageId)
    {
        ArgumentNullException.ThrowIfNull(activations);
        var ids = new long[activations.Rank > 0 ? activations.Shape[0] : 0];
        for (int i = 0; i < ids.Length; i++) ids[i] = firstImageId + i;
        Add(activations, ids);
    }

    /// <summary>Scans a batch [N, C, H, W] whose item n is the image with id <paramref name="imageIds"/>[n].</summary>
    public void Add(FloatTensor activations, IReadOnlyList<long> imageIds)
    {
        ActivationBatch.RequireSpatial(activations, Channels, Scan);
        ArgumentNullException.ThrowIfNull(imageIds);
        int n = activations.Shape[0], h = activations.Shape[2], w = activations.Shape[3], plane = h * w;
        if (imageIds.Count != n)
            throw new ArgumentException($"the batch holds {n} images but {imageIds.Count} image ids were given.", nameof(imageIds));
        var data = activations.Data;
        for (int item = 0; item < n; item++)
        {
            long id = imageIds[item];
            for (int c = 0; c < Channels; c++)
            {
                int offset = (item * Channels + c) * plane;
                var heap = _heaps[c];
                float floor = _counts[c] == K ? heap[0].Value : float.NegativeInfinity;
                for (int p = 0; p < plane; p++)
                {
                    float v = data[offset + p];
                    if (v < floor) continue; // the common case once the heap is full; NaN never takes it
                    if (float.IsNaN(v)) throw ActivationBatch.NaN(Scan, item, c);
                    Offer(c, new ActivationHit(v, id, p / w, p % w));
                    if (_counts[c] == K) floor = heap[0].Value;
                }
            }
        }
        ImageCount += n;
    }

    /// <summary>
    /// Adds another shard's state into this one: afterwards this holds exactly the top-k of both shards' images.
    /// Image ids must be distinct across shards.
    /// </summary>
    public void Merge(TopActivatingPatches other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Channels != Channels || other.K != K)
            throw new ArgumentException($"cannot merge a scan of {other.Channels} channels with k = {other.K} into one of {Channels} channels with k = {K}; both must match.", nameof(other));
        for (int c = 0; c < Channels; c++)
            for (int i = 0; i < other._counts[c]; i++)
                Offer(c, other._heaps[c][i]);
        ImageCount += other.ImageCount;
    }

    /// <summary>The kept hits of one channel, best first (up to k; fewer when the scan saw fewer positions).</summary>
    /// <exception cref="CnnDiagnosticsException">No image has been scanned.</exception>
    public IReadOnlyList<ActivationHit> Top(int channel)
    {
        if ((uint)channel >= (uint)Channels)
            throw new ArgumentOutOfRangeException(nameof(channel), channel, $"channel {channel} is outside 0..{Channels - 1}.");
        if (ImageCount == 0)
            throw new CnnDiagnosticsException("the top-activating-patches scan has seen no images (empty dataset); add at least one batch before asking for results.");
        var hits = _heaps[channel].AsSpan(0, _counts[channel]).ToArray();
        Array.Sort(hits);
        return hits;
    }

    /// <summary>The kept hits of every channel, each list best first.</summary>
    public IReadOnlyList<IReadOnlyList<ActivationHit>> TopAll() => Enumerable.Range(0, Channels).Select(Top).ToList();

    /// <summary>Writes the scan's state (channels, k, image count and each channel's kept hits, best first) so another process can merge it.</summary>
    public void WriteTo(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(Channels);
        writer.Write(K);
        writer.Write(ImageCount);
        for (int c = 0; c < Channels; c++)
        {
            // best first, not in heap order: the bytes then depend only on the kept set, so shards merged in any order write the same state
            var hits = _heaps[c].AsSpan(0, _counts[c]).ToArray();
            Array.Sort(hits);
            writer.Write(hits.Length);
            foreach (var hit in hits)
            {
                writer.Write(hit.Value);
                writer.Write(hit.ImageId);
                writer.Write(hit.Y);
                writer.Write(hit.X);
            }
        }
    }

    /// <summary>Reads a state written by <see cref="WriteTo"/>.</summary>
    /// <exception cref="CnnDiagnosticsException">The stream does not hold a valid state.</exception>
    public static TopActivatingPatches ReadFrom(Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            int channels = reader.ReadInt32(), k = reader.ReadInt32();
            if (channels <= 0 || k <= 0 || (long)channels * k > 1L << 28)
                throw new CnnDiagnosticsException($"the stream does not hold a top-activating-patches state: it declares {channels} channels and k = {k}.");
            var scan = new TopActivatingPatches(channels, k) { ImageCount = reader.ReadInt64() };
            for (int c = 0; c < channels; c++)
            {
                int count = reader.ReadInt32();
                if (count < 0 || count > k)
                    throw new CnnDiagnosticsException($"the stream's state declares {count} hits for channel {c}; valid is 0..{k}.");
                for (int i = 0; i < count; i++)
                    scan.Offer(c, new ActivationHit(reader.ReadSingle(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32()));
            }
            return scan;
        }
        catch (EndOfStreamException e)
        {
            throw new CnnDiagnosticsException("the stream ends inside a top-activating-patches state (truncated file?).", e);
        }
    }

    private void Offer(int channel, ActivationHit hit)
    {
        var heap = _heaps[channel];
        int count = _counts[channel];
        if (count < K)
        {
            // Sift up: a parent must rank after (be worse than) its children.
            int i = count;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (heap[parent].CompareTo(hit) >= 0) break;
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = hit;
            _counts[channel] = count + 1;
            return;
        }
        if (hit.CompareTo(heap[0]) >= 0) return;
        int j = 0;
        while (true)
        {
            int left = 2 * j + 1;
            if (left >= count) break;
            int worse = left + 1 < count && heap[left + 1].CompareTo(heap[left]) > 0 ? left + 1 : left;
            if (heap[worse].CompareTo(hit) <= 0) break;
            heap[j] = heap[worse];
            j = worse;
        }
        heap[j] = hit;
    }
}
