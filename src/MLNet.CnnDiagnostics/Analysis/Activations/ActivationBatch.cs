namespace MLNet.CnnDiagnostics.Analysis.Activations;

/// <summary>Checks on a batch of activations [N, C, ...] fed to a streaming scan.</summary>
internal static class ActivationBatch
{
    /// <summary>Throws unless the batch has rank 4 ([N, C, H, W]) with <paramref name="channels"/> channels and non-empty maps.</summary>
    public static void RequireSpatial(FloatTensor activations, int channels, string scan)
    {
        ArgumentNullException.ThrowIfNull(activations);
        if (activations.Rank != 4)
            throw new CnnDiagnosticsException(
                $"{scan} needs activations [N, C, H, W] from a layer with spatial dimensions, but got shape [{string.Join(",", activations.Shape)}]; " +
                "choose a convolution, pooling or activation layer before the network is flattened or globally pooled.");
        RequireChannels(activations, channels, scan);
        if (activations.Shape[2] == 0 || activations.Shape[3] == 0)
            throw new CnnDiagnosticsException($"{scan} got activation maps of size {activations.Shape[2]}×{activations.Shape[3]}; they must hold at least one position.");
    }

    /// <summary>Throws unless the batch has rank ≥ 2 with <paramref name="channels"/> channels along dimension 1.</summary>
    public static void RequireChannels(FloatTensor activations, int channels, string scan)
    {
        ArgumentNullException.ThrowIfNull(activations);
        if (activations.Rank < 2)
            throw new CnnDiagnosticsException($"{scan} needs activations [N, C, ...], but got shape [{string.Join(",", activations.Shape)}].");
        if (activations.Shape[1] != channels)
            throw new CnnDiagnosticsException($"{scan} was created for {channels} channels, but the batch of shape [{string.Join(",", activations.Shape)}] has {activations.Shape[1]}.");
    }

    /// <summary>The message for a NaN found in a batch.</summary>
    public static CnnDiagnosticsException NaN(string scan, int item, int channel) =>
        new($"{scan} found NaN in channel {channel} of batch item {item}; activations must be finite numbers or ±infinity (check the model and the input).");
}
