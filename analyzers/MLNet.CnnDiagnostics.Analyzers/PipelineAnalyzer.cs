using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace MLNet.CnnDiagnostics.Analyzers;

/// <summary>
/// Shared set-up of the pipeline rules: one rule per analyzer, generated code skipped, concurrent execution, nothing
/// to do in a compilation without ML.NET, and one <see cref="PipelineFlow"/> per compilation.
/// </summary>
public abstract class PipelineAnalyzer : DiagnosticAnalyzer
{
    private readonly OperationKind kind;

    /// <summary>An analyzer of one rule, called for every operation of one kind.</summary>
    protected PipelineAnalyzer(DiagnosticDescriptor rule, OperationKind kind)
    {
        Rule = rule;
        this.kind = kind;
        SupportedDiagnostics = ImmutableArray.Create(rule);
    }

    /// <summary>The rule this analyzer reports.</summary>
    protected DiagnosticDescriptor Rule { get; }

    /// <inheritdoc />
    public sealed override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; }

    /// <inheritdoc />
    public sealed override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (PipelineApi.Create(start.Compilation) is { } api) Register(start, new PipelineFlow(api));
        });
    }

    /// <summary>Registers <see cref="Analyze"/> for a compilation that references ML.NET; override to add per-compilation state.</summary>
    protected virtual void Register(CompilationStartAnalysisContext context, PipelineFlow flow) =>
        context.RegisterOperationAction(c => Analyze(c, flow), kind);

    /// <summary>Looks at one operation of the analyzer's kind (not called when <see cref="Register"/> is overridden without it).</summary>
    protected virtual void Analyze(OperationAnalysisContext context, PipelineFlow flow)
    {
    }
}
