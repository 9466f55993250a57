using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using MLNet.CnnDiagnostics.Analyzers.Onnx;

namespace MLNet.CnnDiagnostics.Analyzers;

/// <summary>
/// CNND005: a layer name given to a tap as a string constant is not a node or tensor of the ONNX model. The model is the
/// tap's model parameter, else the <c>modelFile</c> of the nearest <c>ApplyOnnxModel</c> before it in the chain, and is
/// only checked when it is known (<see cref="ModelFiles"/>: an AdditionalFiles item, or a file the constant path leads to).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnknownLayerNameAnalyzer : PipelineAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public UnknownLayerNameAnalyzer()
        : base(CnnDiagnosticsRules.UnknownLayerName, OperationKind.Invocation)
    {
    }

    /// <inheritdoc />
    protected override void Register(CompilationStartAnalysisContext context, PipelineFlow flow)
    {
        var models = ModelFiles.Of(context.Options);
        context.RegisterOperationAction(c => AnalyzeTap(c, flow, models), OperationKind.Invocation);
    }

    private void AnalyzeTap(OperationAnalysisContext context, PipelineFlow flow, ModelFiles models)
    {
        var tap = (IInvocationOperation)context.Operation;
        if (!PipelineApi.IsTap(tap.TargetMethod)) return;
        var layers = PipelineApi.LayerNames(tap).ToList();
        if (layers.Count == 0) return;
        var modelPath = PipelineApi.ModelPath(tap) ?? ModelOfPrecedingOnnxStage(tap, flow);
        if (modelPath is null || models.Read(modelPath, tap.Syntax.SyntaxTree.FilePath, context.CancellationToken) is not var (modelName, names)) return;
        foreach (var (layer, at) in layers)
        {
            if (names.Contains(layer)) continue;
            var closest = ClosestLayerNames.Find(layer, names.NodeNames.Concat(names.TensorNames));
            string suggestion = closest.Count == 0 ? "the model has no named nodes or tensors" : "closest: " + string.Join(", ", closest);
            context.ReportDiagnostic(Diagnostic.Create(Rule, at.Syntax.GetLocation(), layer, modelName, suggestion));
        }
    }

    private static string? ModelOfPrecedingOnnxStage(IInvocationOperation tap, PipelineFlow flow)
    {
        IOperation? parent = tap.Parent;
        while (parent is IConversionOperation) parent = parent.Parent;
        if (parent is not IArgumentOperation { Parent: IInvocationOperation append } || !PipelineApi.IsAppend(append.TargetMethod)) return null;
        return flow.Stages(PipelineApi.Receiver(append))
            .Reverse()
            .Where(s => s.Invocation is { } i && PipelineApi.IsOnnxModel(i.TargetMethod))
            .Select(s => PipelineApi.ModelPath(s.Invocation!))
            .FirstOrDefault();
    }
}
