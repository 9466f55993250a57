namespace MLNet.CnnDiagnostics.Onnx;

/// <summary>How a model's image input orders its axes.</summary>
public enum ImageLayout
{
    /// <summary>Planar, <c>[N, C, H, W]</c>: PyTorch's exports and ML.NET's <c>ExtractPixels</c> default.</summary>
    Planar,

    /// <summary>Channels last, <c>[N, H, W, C]</c>: Keras and tf2onnx exports, usually followed by a Transpose to planar.</summary>
    ChannelsLast,
}
