namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>How a convolution filter becomes tiles.</summary>
public enum FilterTileMode
{
    /// <summary><see cref="Rgb"/> for a layer with 3 input channels, <see cref="AveragedOverInputs"/> otherwise.</summary>
    Auto,

    /// <summary>One colour tile per filter, input channels as the red, green and blue planes (first layers only: needs 3 inputs).</summary>
    Rgb,

    /// <summary>One grayscale (colormap) tile per (output, input) channel pair: a row per filter, a column per input channel.</summary>
    PerInputChannel,

    /// <summary>One grayscale (colormap) tile per filter: the kernel averaged over its input channels.</summary>
    AveragedOverInputs,
}
