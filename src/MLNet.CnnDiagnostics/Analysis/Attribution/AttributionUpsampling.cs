namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>How an attribution map computed at a coarser resolution (a CAM layer's h × w) is brought to the image's size.</summary>
public enum AttributionUpsampling
{
    /// <summary>Bilinear at pixel centres (align_corners = false, as OpenCV's resize and PyTorch's interpolate; pytorch-grad-cam's choice).</summary>
    Bilinear,

    /// <summary>Each image pixel takes the value of the map cell its centre falls in (shows the layer's grid as it is).</summary>
    NearestNeighbour,
}
