using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace MLNet.CnnDiagnostics.Analyzers;

/// <summary>
/// CNND002: <c>pipeline.AppendVisualization();</c> or <c>pipeline.Append(tap);</c> as a statement: the new chain is lost.
/// When the chain starts at a variable the result can be assigned to, the diagnostic's additional location is that variable.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DiscardedPipelineAnalyzer : PipelineAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public DiscardedPipelineAnalyzer()
        : base(CnnDiagnosticsRules.DiscardedPipeline, OperationKind.ExpressionStatement)
    {
    }

    /// <inheritdoc />
    protected override void Analyze(OperationAnalysisContext context, PipelineFlow flow)
    {
        if (((IExpressionStatementOperation)context.Operation).Operation is not IInvocationOperation call) return;

        // walk the fluent chain down to where it starts, noting whether any link adds a tap or the visualization
        bool addsDiagnostics = false;
        IOperation? start = call;
        while (start is IInvocationOperation link && (PipelineApi.IsAppend(link.TargetMethod) || PipelineApi.IsVisualization(link.TargetMethod)))
        {
            var receiver = PipelineApi.Receiver(link);
            addsDiagnostics |= PipelineApi.IsVisualization(link.TargetMethod)
                || link.Arguments.Any(a => a.Value != receiver && flow.Stages(a.Value).Any(s => s.Kind == PipelineStageKind.Tap));
            start = receiver;
        }
        if (!addsDiagnostics || start is null) return;
        while (start is IConversionOperation { IsImplicit: true } conversion) start = conversion.Operand;

        var assignable = start is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation
            && start.Type is { } targetType && call.Type is { } resultType
            && context.Compilation.ClassifyCommonConversion(resultType, targetType).IsImplicit;
        var location = call.Syntax.GetLocation();
        var diagnostic = assignable
            ? Diagnostic.Create(Rule, location, new[] { start.Syntax.GetLocation() }, call.TargetMethod.Name, start.Syntax.ToString())
            : Diagnostic.Create(Rule, location, call.TargetMethod.Name, start.Syntax.ToString());
        context.ReportDiagnostic(diagnostic);
    }
}
