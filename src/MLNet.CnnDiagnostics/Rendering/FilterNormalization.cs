namespace MLNet.CnnDiagnostics.Rendering;

/// <summary>Which weights share one colour scale in a filter grid.</summary>
public enum FilterNormalization
{
    /// <summary>Each filter (output channel: all the tiles drawn from it) is scaled by its own weights: shows every filter's shape.</summary>
    PerFilter,

    /// <summary>One scale for the whole layer: also shows which filters are strong and which are weak.</summary>
    PerLayer,
}
