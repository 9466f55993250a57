using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace MLNet.CnnDiagnostics.Analyzers;

/// <summary>One stage of a flattened estimator chain and the operation that created it.</summary>
public sealed class PipelineStage
{
    /// <summary>Creates a stage.</summary>
    public PipelineStage(PipelineStageKind kind, IOperation? operation)
    {
        Kind = kind;
        Operation = operation;
    }

    /// <summary>What the stage is.</summary>
    public PipelineStageKind Kind { get; }

    /// <summary>The operation that made the stage (null when the chain could not be followed).</summary>
    public IOperation? Operation { get; }

    /// <summary>The invocation that made the stage, when it is one.</summary>
    public IInvocationOperation? Invocation => Operation as IInvocationOperation;

    /// <summary>The name shown in messages: the method name, or the expression text.</summary>
    public string DisplayName => Invocation?.TargetMethod.Name ?? Operation?.Syntax.ToString() ?? "?";
}
