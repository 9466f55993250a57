using Microsoft.CodeAnalysis;

namespace MLNet.CnnDiagnostics.Analyzers;

/// <summary>Every rule of the package in one table: ids, messages, categories and default severities.</summary>
public static class CnnDiagnosticsRules
{
    private const string Usage = "Usage";

    /// <summary>CNND001: a pipeline with a CNN stage or a tap is fitted without <c>AppendVisualization()</c>.</summary>
    public static readonly DiagnosticDescriptor MissingVisualization = Rule(
        "CNND001",
        "CNN pipeline fitted without AppendVisualization()",
        "The pipeline contains the CNN stage '{0}' but is fitted without AppendVisualization(), so no diagnostics report is produced",
        "A pipeline that runs a CNN (ApplyOnnxModel, DnnFeaturizeImage) or a diagnostic tap should end with AppendVisualization() before Fit; otherwise the taps are computed and thrown away.");

    /// <summary>CNND002: the new chain returned by <c>AppendVisualization()</c> or by appending a tap is thrown away.</summary>
    public static readonly DiagnosticDescriptor DiscardedPipeline = Rule(
        "CNND002",
        "Result of appending a diagnostic stage is discarded",
        "The result of '{0}' is discarded: ML.NET estimator chains are immutable, so '{1}' does not change",
        "Append and AppendVisualization return a new estimator chain and leave the one they were called on unchanged; assign the result.");

    /// <summary>CNND003: a later <c>DropColumns</c>/<c>SelectColumns</c> removes a tap's column before the visualization.</summary>
    public static readonly DiagnosticDescriptor DroppedTapColumn = Rule(
        "CNND003",
        "Tap column removed before the visualization sees it",
        "Column '{0}' produced by the tap '{1}' is removed by '{2}' before AppendVisualization() sees it",
        "A DropColumns or SelectColumns placed after a diagnostic tap and before AppendVisualization() removes the tap's output, so the report has nothing to show for it.");

    /// <summary>CNND004: a pipeline variable that held taps is reassigned to a chain without them, then fitted.</summary>
    public static readonly DiagnosticDescriptor LostTaps = Rule(
        "CNND004",
        "Pipeline variable loses its diagnostic taps before Fit",
        "'{0}' held the tap '{1}' but is reassigned to a chain without it before Fit",
        "Reassigning a pipeline variable to a chain that does not start from its previous value drops every tap that was appended to it; build on the previous value (pipeline = pipeline.Append(...)).");

    /// <summary>CNND005: a layer name in a tap does not exist in the ONNX model that is an AdditionalFiles item.</summary>
    public static readonly DiagnosticDescriptor UnknownLayerName = Rule(
        "CNND005",
        "Layer name not found in the ONNX model",
        "Layer '{0}' is not in the ONNX model '{1}'; {2}",
        "Layer names given to the diagnostic taps must be node or tensor names of the ONNX model; the check runs when the model file is an AdditionalFiles item of the project.");

    private static DiagnosticDescriptor Rule(string id, string title, string message, string description) =>
        new(id, title, message, Usage, DiagnosticSeverity.Warning, isEnabledByDefault: true, description);
}
