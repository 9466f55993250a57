using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace MLNet.CnnDiagnostics.Analyzers;

/// <summary>
/// Flattens an estimator expression into its stages, following fluent calls, <c>Append</c> arguments and local
/// variables within one method. A local resolves to its textually last plain assignment before the use; branches,
/// loops, <c>out</c>/<c>ref</c> writes, fields, parameters and other methods are not followed (they become Unknown).
/// </summary>
public sealed class PipelineFlow
{
    private const int MaxDepth = 64;

    private readonly PipelineApi api;
    private readonly object gate = new();
    private readonly Dictionary<IOperation, MethodWrites> writesByRoot = new();

    /// <summary>Creates a flow over one compilation's API.</summary>
    public PipelineFlow(PipelineApi api) => this.api = api;

    /// <summary>The API this flow recognises.</summary>
    public PipelineApi Api => api;

    /// <summary>The stages of the estimator an expression evaluates to, first stage first.</summary>
    public ImmutableArray<PipelineStage> Stages(IOperation? estimator)
    {
        var stages = ImmutableArray.CreateBuilder<PipelineStage>();
        Collect(estimator, 0, stages);
        return stages.ToImmutable();
    }

    /// <summary>The value last assigned to a local before a position (textually), or null.</summary>
    public IOperation? ValueBefore(ILocalSymbol local, IOperation anywhereInMethod, int position)
    {
        var writes = WritesOf(anywhereInMethod);
        return writes.Assignments
            .Where(w => SymbolEqualityComparer.Default.Equals(w.Local, local) && w.End <= position)
            .OrderByDescending(w => w.End)
            .Select(w => w.Value)
            .FirstOrDefault();
    }

    /// <summary>True when the method calls <c>Fit</c> on the local after the position.</summary>
    public bool IsFittedAfter(ILocalSymbol local, IOperation anywhereInMethod, int position) =>
        WritesOf(anywhereInMethod).Fits.Any(f => SymbolEqualityComparer.Default.Equals(f.Local, local) && f.Start >= position);

    private void Collect(IOperation? operation, int depth, ImmutableArray<PipelineStage>.Builder stages)
    {
        while (operation is IConversionOperation or IParenthesizedOperation)
            operation = operation is IConversionOperation c ? c.Operand : ((IParenthesizedOperation)operation).Operand;

        if (operation is null || depth > MaxDepth)
        {
            stages.Add(new PipelineStage(PipelineStageKind.Unknown, operation));
            return;
        }

        switch (operation)
        {
            case IInvocationOperation invocation:
                CollectInvocation(invocation, depth, stages);
                return;
            case IObjectCreationOperation creation:
                stages.Add(new PipelineStage(KindOfValue(creation.Type, PipelineApi.IsMlNet(creation.Type)), creation));
                return;
            case ILocalReferenceOperation reference:
                var value = ValueBefore(reference.Local, reference, reference.Syntax.SpanStart);
                if (value is null) stages.Add(new PipelineStage(KindOfValue(reference.Type, false), reference));
                else Collect(value, depth + 1, stages);
                return;
            default:
                stages.Add(new PipelineStage(KindOfValue(operation.Type, false), operation));
                return;
        }
    }

    private void CollectInvocation(IInvocationOperation invocation, int depth, ImmutableArray<PipelineStage>.Builder stages)
    {
        var method = invocation.TargetMethod;
        var kind = PipelineApi.Classify(method);
        if (kind == PipelineStageKind.Unknown || kind == PipelineStageKind.Tap)
        {
            stages.Add(new PipelineStage(kind, invocation));
            return;
        }

        // an ML.NET call or AppendVisualization: what it is called on comes first, then estimator arguments (Append's)
        var receiver = PipelineApi.Receiver(invocation);
        if (receiver is not null && api.IsEstimator(receiver.Type)) Collect(receiver, depth + 1, stages);
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Value != receiver && argument.Parameter is not null && api.IsEstimator(argument.Parameter.Type))
                Collect(argument.Value, depth + 1, stages);
        }
        if (!PipelineApi.IsAppend(method)) stages.Add(new PipelineStage(kind, invocation));
    }

    private static PipelineStageKind KindOfValue(ITypeSymbol? type, bool fromMlNet) =>
        PipelineApi.IsVisualizingEstimator(type) ? PipelineStageKind.Visualization
        : fromMlNet ? PipelineStageKind.Other
        : PipelineStageKind.Unknown;

    private MethodWrites WritesOf(IOperation operation)
    {
        var root = operation;
        while (root.Parent is not null) root = root.Parent;
        lock (gate)
        {
            if (!writesByRoot.TryGetValue(root, out var writes))
            {
                writes = MethodWrites.Index(root, api);
                writesByRoot[root] = writes;
            }
            return writes;
        }
    }

    private sealed class MethodWrites
    {
        public List<(ILocalSymbol Local, int End, IOperation Value)> Assignments { get; } = new();

        public List<(ILocalSymbol Local, int Start)> Fits { get; } = new();

        public static MethodWrites Index(IOperation root, PipelineApi api)
        {
            var writes = new MethodWrites();
            foreach (var operation in root.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation { Initializer: { } initializer } declarator:
                        writes.Assignments.Add((declarator.Symbol, declarator.Syntax.Span.End, initializer.Value));
                        break;
                    case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment:
                        writes.Assignments.Add((target.Local, assignment.Syntax.Span.End, assignment.Value));
                        break;
                    case IInvocationOperation invocation when api.IsFit(invocation) && ChainStart(PipelineApi.Receiver(invocation)) is ILocalReferenceOperation fitted:
                        writes.Fits.Add((fitted.Local, invocation.Syntax.SpanStart));
                        break;
                }
            }
            return writes;
        }

        // where a fluent chain starts: local.Append(a).AppendVisualization() starts at local
        private static IOperation? ChainStart(IOperation? operation)
        {
            for (int depth = 0; depth < MaxDepth; depth++)
            {
                if (operation is IConversionOperation conversion) operation = conversion.Operand;
                else if (operation is IInvocationOperation call && PipelineApi.Receiver(call) is { } receiver) operation = receiver;
                else return operation;
            }
            return null;
        }
    }
}
