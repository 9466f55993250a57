namespace MLNet.CnnDiagnostics.Gradients;

/// <summary>The mean activation of one channel of a layer ([N, C, ...] tensor): feature visualization's objective.</summary>
public sealed class ChannelMeanTarget : GradientTarget
{
    /// <summary>Channel <paramref name="channel"/> of <paramref name="tensor"/>.</summary>
    public ChannelMeanTarget(string tensor, int channel) : base(tensor)
    {
        ArgumentException.ThrowIfNullOrEmpty(tensor);
        Channel = channel;
    }

    /// <summary>The channel.</summary>
    public int Channel { get; }

    /// <inheritdoc/>
    public override FloatTensor Seed(int[] shape)
    {
        if (shape.Length < 2 || (uint)Channel >= (uint)shape[1])
            throw new CnnDiagnosticsException($"channel {Channel} is outside tensor '{Tensor}' of shape [{string.Join(",", shape)}] (channels 0..{(shape.Length < 2 ? 0 : shape[1]) - 1}).");
        int size = ItemSize(shape);
        int plane = size / shape[1];
        var seed = new FloatTensor(shape);
        for (int n = 0; n < shape[0]; n++)
            Array.Fill(seed.Data, 1f / plane, n * size + Channel * plane, plane);
        return seed;
    }
}
