namespace MLNet.CnnDiagnostics.Analyzers;

/// <summary>What one stage of an estimator chain is, as far as the diagnostic rules care.</summary>
public enum PipelineStageKind
{
    /// <summary>Nothing is known about the stage (a parameter, a field, a user method): rules stay silent.</summary>
    Unknown,
    /// <summary>An ML.NET stage that is none of the kinds below.</summary>
    Other,
    /// <summary><c>ApplyOnnxModel</c> or <c>DnnFeaturizeImage</c>.</summary>
    Cnn,
    /// <summary>One of the library's taps: <c>CaptureActivations</c>, <c>ExtractEmbedding</c>, <c>DumpFilters</c>, <c>ProjectTsne</c>.</summary>
    Tap,
    /// <summary><c>DropColumns</c> or <c>SelectColumns</c>.</summary>
    ColumnRemoval,
    /// <summary><c>AppendVisualization()</c> or a value typed <c>VisualizingEstimator</c>.</summary>
    Visualization,
}
