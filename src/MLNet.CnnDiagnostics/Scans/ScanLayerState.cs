using MLNet.CnnDiagnostics.Analysis.Activations;

namespace MLNet.CnnDiagnostics.Scans;

/// <summary>What a scan keeps of one layer: per channel the top-k activating positions and a quantile sketch of all activations.</summary>
public sealed class ScanLayerState
{
    internal ScanLayerState(string tensor, TopActivatingPatches patches, ActivationQuantiles quantiles)
    {
        Tensor = tensor;
        Patches = patches;
        Quantiles = quantiles;
    }

    /// <summary>The layer's output tensor.</summary>
    public string Tensor { get; }

    /// <summary>Per channel, the k highest activations over every scanned image (value, image id, position).</summary>
    public TopActivatingPatches Patches { get; }

    /// <summary>Per channel, a quantile sketch of every activation (Network Dissection thresholds: <see cref="ActivationQuantiles.TopThresholds"/>).</summary>
    public ActivationQuantiles Quantiles { get; }

    /// <summary>Number of channels.</summary>
    public int Channels => Patches.Channels;
}
