using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace MLNet.CnnDiagnostics.Analyzers;

/// <summary>CNND003: <c>.Append(DropColumns/SelectColumns)</c> after a tap, with no visualization between, removes the tap's column.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DroppedTapColumnAnalyzer : PipelineAnalyzer
{
    /// <summary>Creates the analyzer.</summary>
    public DroppedTapColumnAnalyzer()
        : base(CnnDiagnosticsRules.DroppedTapColumn, OperationKind.Invocation)
    {
    }

    /// <inheritdoc />
    protected override void Analyze(OperationAnalysisContext context, PipelineFlow flow)
    {
        var append = (IInvocationOperation)context.Operation;
        if (!PipelineApi.IsAppend(append.TargetMethod)) return;
        var receiver = PipelineApi.Receiver(append);
        var removal = append.Arguments
            .Where(a => a.Value != receiver)
            .Select(a => a.Value is IConversionOperation c ? c.Operand : a.Value)
            .OfType<IInvocationOperation>()
            .FirstOrDefault(i => PipelineApi.Classify(i.TargetMethod) == PipelineStageKind.ColumnRemoval);
        if (removal is null) return;

        var stages = flow.Stages(receiver);
        int lastVisualization = -1;
        for (int i = 0; i < stages.Length; i++)
            if (stages[i].Kind == PipelineStageKind.Visualization) lastVisualization = i;
        // tap columns that no visualization has seen yet, with the tap that wrote each
        var unseen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = lastVisualization + 1; i < stages.Length; i++)
        {
            if (stages[i] is { Kind: PipelineStageKind.Tap, Invocation: { } tap })
                foreach (var column in PipelineApi.TapColumns(tap)) unseen[column] = tap.TargetMethod.Name;
        }
        if (unseen.Count == 0) return;

        var columnArgument = removal.Arguments.FirstOrDefault(a => a.Parameter?.Name == "columnNames");
        if (columnArgument is null) return;
        var columnValue = columnArgument.Value is IConversionOperation conversion ? conversion.Operand : columnArgument.Value;
        var named = PipelineApi.Strings(columnValue).ToList();
        string method = removal.TargetMethod.Name;
        if (method == "DropColumns")
        {
            foreach (var (column, at) in named)
                if (unseen.TryGetValue(column, out var tapName))
                    context.ReportDiagnostic(Diagnostic.Create(Rule, at.Syntax.GetLocation(), column, tapName, method));
        }
        else if (PipelineApi.Elements(columnValue) is { } elements && elements.Length == named.Count)
        {
            // SelectColumns keeps only what it names; only judge it when every name is a constant we can see
            var kept = new HashSet<string>(named.Select(n => n.Name), StringComparer.Ordinal);
            foreach (var pair in unseen.Where(p => !kept.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
                context.ReportDiagnostic(Diagnostic.Create(Rule, removal.Syntax.GetLocation(), pair.Key, pair.Value, method));
        }
    }
}
