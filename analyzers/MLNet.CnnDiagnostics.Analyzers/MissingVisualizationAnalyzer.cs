using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using MLNet.CnnDiagnostics.Analyzers.Onnx;

namespace MLNet.CnnDiagnostics.Analyzers;

/// <summary>
/// CNND001: a pipeline with a CNN stage or a tap is fitted without <c>AppendVisualization()</c>. An <c>ApplyOnnxModel</c>
/// whose model is known (<see cref="ModelFiles"/>) and has no convolution is not a CNN stage: ML.NET's own ONNX samples
/// (a taxi-fare regressor, say) get no warning.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MissingVisualizationAnalyzer : PipelineAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public MissingVisualizationAnalyzer()
        : base(CnnDiagnosticsRules.MissingVisualization, OperationKind.Invocation)
    {
    }

    /// <inheritdoc />
    protected override void Register(CompilationStartAnalysisContext context, PipelineFlow flow)
    {
        var models = ModelFiles.Of(context.Options);
        context.RegisterOperationAction(c => AnalyzeFit(c, flow, models), OperationKind.Invocation);
    }

    private void AnalyzeFit(OperationAnalysisContext context, PipelineFlow flow, ModelFiles models)
    {
        var fit = (IInvocationOperation)context.Operation;
        if (!flow.Api.IsFit(fit)) return;
        var stages = flow.Stages(PipelineApi.Receiver(fit));
        // a stage we cannot see into might hold the visualization: stay silent rather than guess
        if (stages.Any(s => s.Kind is PipelineStageKind.Unknown or PipelineStageKind.Visualization)) return;
        var cnn = stages.FirstOrDefault(s => s.Kind is PipelineStageKind.Tap || (s.Kind is PipelineStageKind.Cnn && !IsKnownNonConvolutional(s, models, context)));
        if (cnn is null) return;
        context.ReportDiagnostic(Diagnostic.Create(Rule, fit.Syntax.GetLocation(), cnn.DisplayName));
    }

    private static bool IsKnownNonConvolutional(PipelineStage stage, ModelFiles models, OperationAnalysisContext context) =>
        stage.Invocation is { } call && PipelineApi.IsOnnxModel(call.TargetMethod)
        && PipelineApi.ModelPath(call) is { } path
        && models.Read(path, call.Syntax.SyntaxTree.FilePath, context.CancellationToken) is { Names.HasConvolution: false };
}
