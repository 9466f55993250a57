namespace MLNet.CnnDiagnostics;

/// <summary>What a method marked with <see cref="DiagnosticStageAttribute"/> adds to a pipeline.</summary>
public enum DiagnosticStageKind
{
    /// <summary>A diagnostic tap: its columns feed the report, so a pipeline holding it should end in the visualization.</summary>
    Tap,

    /// <summary>The visualization itself (<c>AppendVisualization</c>): fitting the pipeline writes the report.</summary>
    Visualization,
}

/// <summary>
/// Marks a catalog method as a stage the library's Roslyn analyzers know about. The analyzers recognise taps and the
/// visualization by this attribute, not by method names, so a tap of your own (an extension method returning an
/// estimator) is checked like the built-in ones once it carries <c>[DiagnosticStage(DiagnosticStageKind.Tap)]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class DiagnosticStageAttribute : Attribute
{
    /// <summary>Marks a method as a stage of the given kind.</summary>
    public DiagnosticStageAttribute(DiagnosticStageKind kind) => Kind = kind;

    /// <summary>What the stage adds.</summary>
    public DiagnosticStageKind Kind { get; }

    /// <summary>The parameter that takes layer names (one string or an array); CNND005 checks them against the model.</summary>
    public string? LayersParameter { get; set; }

    /// <summary>The parameter that takes the ONNX model file; CNND005 reads the layer names from it.</summary>
    public string? ModelParameter { get; set; }

    /// <summary>The parameter that names the column the stage writes; CNND003 warns when a later stage drops it.</summary>
    public string? OutputColumnParameter { get; set; }

    /// <summary>True when the stage writes one column per layer, named after the layer (as <c>CaptureActivations</c> does).</summary>
    public bool ColumnPerLayer { get; set; }
}
