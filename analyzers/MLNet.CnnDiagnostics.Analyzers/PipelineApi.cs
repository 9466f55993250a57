using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace MLNet.CnnDiagnostics.Analyzers;

/// <summary>
/// Recognises the members the rules are about: ML.NET's by name and namespace (<c>Append</c>, <c>Fit</c>,
/// <c>ApplyOnnxModel</c>, ...), the library's taps and visualization by the <c>DiagnosticStageAttribute</c> on the method,
/// whose named arguments also say which parameters hold layer names, the model file and the output column.
/// </summary>
public sealed class PipelineApi
{
    private const string LibraryNamespace = "MLNet.CnnDiagnostics";
    private const string MlNetNamespace = "Microsoft.ML";

    private const string StageAttribute = "DiagnosticStageAttribute";
    private const int TapKind = 0, VisualizationKind = 1;
    private static readonly HashSet<string> CnnMethods = new(StringComparer.Ordinal) { "ApplyOnnxModel", "DnnFeaturizeImage" };
    private static readonly HashSet<string> RemovalMethods = new(StringComparer.Ordinal) { "DropColumns", "SelectColumns" };
    private const string OnnxModelParameter = "modelFile";

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

    /// <summary>A method marked <c>[DiagnosticStage(DiagnosticStageKind.Visualization)]</c>, as <c>AppendVisualization</c> is.</summary>
    public static bool IsVisualization(IMethodSymbol method) => StageKind(method) == VisualizationKind;

    /// <summary>A method marked <c>[DiagnosticStage(DiagnosticStageKind.Tap)]</c>: the library's taps and any of the user's own.</summary>
    public static bool IsTap(IMethodSymbol method) => StageKind(method) == TapKind;

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

    /// <summary>The string constants a tap receives as layer names (its attribute's <c>LayersParameter</c>), each with the operation to report on.</summary>
    public static IEnumerable<(string Name, IOperation At)> LayerNames(IInvocationOperation tap) =>
        Argument(tap, StageNamedArgument(tap.TargetMethod, "LayersParameter")) is { } layers ? Strings(layers) : Enumerable.Empty<(string, IOperation)>();

    /// <summary>The columns a tap writes: its attribute's <c>OutputColumnParameter</c>, and one per layer when it says <c>ColumnPerLayer</c>.</summary>
    public static IEnumerable<string> TapColumns(IInvocationOperation tap)
    {
        if (Argument(tap, StageNamedArgument(tap.TargetMethod, "OutputColumnParameter")) is { } output)
            foreach (var (name, _) in Strings(output)) yield return name;
        if (Attribute(tap.TargetMethod)?.NamedArguments.Any(a => a.Key == "ColumnPerLayer" && a.Value.Value is true) == true)
            foreach (var (name, _) in LayerNames(tap)) yield return name;
    }

    /// <summary>
    /// The ONNX file a stage names, when it is a constant: a diagnostic stage's <c>ModelParameter</c>, or the
    /// <c>modelFile</c> of ML.NET's <c>ApplyOnnxModel</c>.
    /// </summary>
    public static string? ModelPath(IInvocationOperation stage)
    {
        string? parameter = Attribute(stage.TargetMethod) is not null ? StageNamedArgument(stage.TargetMethod, "ModelParameter")
            : IsOnnxModel(stage.TargetMethod) ? OnnxModelParameter : null;
        return Argument(stage, parameter)?.ConstantValue is { HasValue: true, Value: string s } ? s : null;
    }

    /// <summary>ML.NET's <c>ApplyOnnxModel</c>.</summary>
    public static bool IsOnnxModel(IMethodSymbol method) => method.Name == "ApplyOnnxModel" && IsMlNet(method.ContainingType);

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

    /// <summary>The method's <c>DiagnosticStageAttribute</c> (the library's, by namespace), looking through reduced and generic forms.</summary>
    private static AttributeData? Attribute(IMethodSymbol method)
    {
        var definition = (method.ReducedFrom ?? method).OriginalDefinition;
        foreach (var attribute in definition.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: StageAttribute } type && IsLibrary(type)) return attribute;
        }
        return null;
    }

    private static int? StageKind(IMethodSymbol method) =>
        Attribute(method) is { ConstructorArguments: { Length: 1 } arguments } && arguments[0].Value is int kind ? kind : null;

    private static string? StageNamedArgument(IMethodSymbol method, string name) =>
        Attribute(method)?.NamedArguments.Where(a => a.Key == name).Select(a => a.Value.Value as string).FirstOrDefault();

    private static IOperation? Argument(IInvocationOperation invocation, string? parameter) =>
        parameter is null ? null : invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameter)?.Value;

    private static bool InNamespace(ISymbol? symbol, string root)
    {
        var ns = symbol?.ContainingNamespace;
        if (ns is null || ns.IsGlobalNamespace) return false;
        string name = ns.ToDisplayString();
        return name == root || name.StartsWith(root + ".", StringComparison.Ordinal);
    }
}
