using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace MLNet.CnnDiagnostics.Analyzers;

/// <summary>Recognises the ML.NET and MLNet.CnnDiagnostics members the rules are about, by name and containing namespace.</summary>
public sealed class PipelineApi
{
    private const string LibraryNamespace = "MLNet.CnnDiagnostics";
    private const string MlNetNamespace = "Microsoft.ML";

    private static readonly HashSet<string> TapMethods = new(StringComparer.Ordinal) { "CaptureActivations", "ExtractEmbedding", "DumpFilters", "ProjectTsne" };
    private static readonly HashSet<string> CnnMethods = new(StringComparer.Ordinal) { "ApplyOnnxModel", "DnnFeaturizeImage" };
    private static readonly HashSet<string> RemovalMethods = new(StringComparer.Ordinal) { "DropColumns", "SelectColumns" };
    private static readonly HashSet<string> LayerParameters = new(StringComparer.Ordinal) { "layers", "layerNames", "layer", "layerName" };
    private static readonly HashSet<string> ModelParameters = new(StringComparer.Ordinal) { "modelPath", "modelFile" };

    private readonly INamedTypeSymbol estimatorInterface;

    private PipelineApi(INamedTypeSymbol estimatorInterface) => this.estimatorInterface = estimatorInterface;

    /// <summary>The API of a compilation, or null when it does not reference ML.NET.</summary>
    public static PipelineApi? Create(Compilation compilation) =>
        compilation.GetTypeByMetadataName("Microsoft.ML.IEstimator`1") is { } estimator ? new PipelineApi(estimator) : null;

    /// <summary>True for <c>Microsoft.ML.IEstimator&lt;T&gt;</c> and types implementing it.</summary>
    public bool IsEstimator(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol named) return false;
        return SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, estimatorInterface)
            || named.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, estimatorInterface));
    }

    /// <summary>ML.NET's <c>Append</c> (LearningPipelineExtensions, EstimatorChain).</summary>
    public static bool IsAppend(IMethodSymbol method) => method.Name == "Append" && IsMlNet(method.ContainingType);

    /// <summary>The library's <c>AppendVisualization</c>.</summary>
    public static bool IsVisualization(IMethodSymbol method) => method.Name == "AppendVisualization" && IsLibrary(method.ContainingType);

    /// <summary>One of the library's tap catalog methods.</summary>
    public static bool IsTap(IMethodSymbol method) => TapMethods.Contains(method.Name) && IsLibrary(method.ContainingType);

    /// <summary><c>Fit</c> called on an ML.NET estimator.</summary>
    public bool IsFit(IInvocationOperation invocation) =>
        invocation.TargetMethod.Name == "Fit" && IsEstimator(Receiver(invocation)?.Type ?? invocation.TargetMethod.ContainingType);

    /// <summary>The kind of stage a single method call (not an Append) makes.</summary>
    public static PipelineStageKind Classify(IMethodSymbol method)
    {
        if (IsTap(method)) return PipelineStageKind.Tap;
        if (IsVisualization(method)) return PipelineStageKind.Visualization;
        if (!IsMlNet(method.ContainingType)) return IsVisualizingEstimator(method.ReturnType) ? PipelineStageKind.Visualization : PipelineStageKind.Unknown;
        if (CnnMethods.Contains(method.Name)) return PipelineStageKind.Cnn;
        if (RemovalMethods.Contains(method.Name)) return PipelineStageKind.ColumnRemoval;
        return PipelineStageKind.Other;
    }

    /// <summary>The library's <c>VisualizingEstimator</c>.</summary>
    public static bool IsVisualizingEstimator(ITypeSymbol? type) => type?.Name == "VisualizingEstimator" && IsLibrary(type);

    /// <summary>True when the symbol's namespace is Microsoft.ML or below.</summary>
    public static bool IsMlNet(ISymbol? symbol) => InNamespace(symbol, MlNetNamespace);

    /// <summary>The instance a call works on: <c>this</c> of an extension method or the instance receiver.</summary>
    public static IOperation? Receiver(IInvocationOperation invocation) =>
        invocation.Instance ?? (invocation.TargetMethod.IsExtensionMethod && invocation.Arguments.Length > 0
            ? invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value
            : null);

    /// <summary>The string constants a tap receives as layer names, each with the operation to report on.</summary>
    public static IEnumerable<(string Name, IOperation At)> LayerNames(IInvocationOperation tap) =>
        tap.Arguments.Where(a => a.Parameter is { } p && LayerParameters.Contains(p.Name)).SelectMany(a => Strings(a.Value));

    /// <summary>The columns a tap writes: its <c>outputColumnName</c>, and for <c>CaptureActivations</c> one per layer.</summary>
    public static IEnumerable<string> TapColumns(IInvocationOperation tap)
    {
        foreach (var argument in tap.Arguments)
        {
            if (argument.Parameter?.Name == "outputColumnName")
                foreach (var (name, _) in Strings(argument.Value)) yield return name;
        }
        if (tap.TargetMethod.Name == "CaptureActivations")
            foreach (var (name, _) in LayerNames(tap)) yield return name;
    }

    /// <summary>The ONNX file a stage names through <c>modelPath</c>/<c>modelFile</c>, when it is a constant.</summary>
    public static string? ModelPath(IInvocationOperation stage) =>
        stage.Arguments.Where(a => a.Parameter is { } p && ModelParameters.Contains(p.Name))
            .Select(a => a.Value.ConstantValue is { HasValue: true, Value: string s } ? s : null)
            .FirstOrDefault(s => s is not null);

    /// <summary>The string constants of an argument: the value itself, or the elements of a (params) array.</summary>
    public static IEnumerable<(string Name, IOperation At)> Strings(IOperation value)
    {
        if (value is IConversionOperation conversion) value = conversion.Operand;
        if (value.ConstantValue is { HasValue: true, Value: string s })
        {
            yield return (s, value);
        }
        else if (Elements(value) is { } elements)
        {
            foreach (var element in elements)
                if (element.ConstantValue is { HasValue: true, Value: string e }) yield return (e, element);
        }
    }

    /// <summary>The elements of <c>new[] { ... }</c>, a params array or a collection expression <c>[ ... ]</c>; null for anything else.</summary>
    public static ImmutableArray<IOperation>? Elements(IOperation value) => value switch
    {
        IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues,
        ICollectionExpressionOperation collection when collection.Elements.All(e => e is not ISpreadOperation) => collection.Elements,
        _ => null,
    };

    private static bool IsLibrary(ISymbol? symbol) => InNamespace(symbol, LibraryNamespace);

    private static bool InNamespace(ISymbol? symbol, string root)
    {
        var ns = symbol?.ContainingNamespace;
        if (ns is null || ns.IsGlobalNamespace) return false;
        string name = ns.ToDisplayString();
        return name == root || name.StartsWith(root + ".", StringComparison.Ordinal);
    }
}
