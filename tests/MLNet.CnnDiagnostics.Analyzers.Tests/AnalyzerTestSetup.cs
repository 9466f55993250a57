using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace MLNet.CnnDiagnostics.Analyzers.Tests;

/// <summary>
/// References and shared sources for the analyzer tests. References come from the SDK's own reference pack and the
/// ML.NET assemblies in the test output (the testing library's package download does not work offline).
/// </summary>
internal static class AnalyzerTestSetup
{
    public static readonly ReferenceAssemblies Net10 = new("net10.0");

    public static readonly ImmutableArray<MetadataReference> References = LoadReferences();

    /// <summary>A stand-in of the library's ML.NET surface (signatures as in MLNet/CnnDiagnosticsCatalog.cs), so the tests do not depend on its implementation.</summary>
    public const string LibraryStandIn = """
        namespace MLNet.CnnDiagnostics
        {
            using System;
            using Microsoft.ML;

            public enum DiagnosticStageKind { Tap, Visualization }

            [AttributeUsage(AttributeTargets.Method)]
            public sealed class DiagnosticStageAttribute : Attribute
            {
                public DiagnosticStageAttribute(DiagnosticStageKind kind) { }
                public string LayersParameter { get; set; }
                public string ModelParameter { get; set; }
                public string OutputColumnParameter { get; set; }
                public bool ColumnPerLayer { get; set; }
            }

            public sealed class VisualizationOptions
            {
                public string ReportPath { get; set; }
            }

            public sealed class VisualizingEstimator : IEstimator<ITransformer>
            {
                public ITransformer Fit(IDataView input) => throw new NotSupportedException();
                public SchemaShape GetOutputSchema(SchemaShape inputSchema) => inputSchema;
            }

            public static class VisualizationExtensions
            {
                [DiagnosticStage(DiagnosticStageKind.Visualization)]
                public static VisualizingEstimator AppendVisualization<TTrans>(this IEstimator<TTrans> estimator, Action<VisualizationOptions> configure = null)
                    where TTrans : class, ITransformer => new VisualizingEstimator();
            }

            public static class CnnDiagnosticsCatalog
            {
                [DiagnosticStage(DiagnosticStageKind.Tap, LayersParameter = "layers", ModelParameter = "modelPath", ColumnPerLayer = true)]
                public static IEstimator<ITransformer> CaptureActivations(this TransformsCatalog catalog, string inputColumnName, string[] layers, string modelPath = null) => null;
                [DiagnosticStage(DiagnosticStageKind.Tap, LayersParameter = "layer", ModelParameter = "modelPath", OutputColumnParameter = "outputColumnName")]
                public static IEstimator<ITransformer> ExtractEmbedding(this TransformsCatalog catalog, string outputColumnName = "Embedding", string inputColumnName = "Pixels", string layer = null, string modelPath = null, bool normalize = false) => null;
                [DiagnosticStage(DiagnosticStageKind.Tap, LayersParameter = "layers", ModelParameter = "modelPath")]
                public static IEstimator<ITransformer> DumpFilters(this TransformsCatalog catalog, string[] layers = null, string modelPath = null) => null;
                [DiagnosticStage(DiagnosticStageKind.Tap, OutputColumnParameter = "outputColumnName")]
                public static IEstimator<ITransformer> ProjectTsne(this TransformsCatalog catalog, string outputColumnName, string inputColumnName) => null;
            }
        }
        """;

    /// <summary>A method body placed in a class with the usings every test needs.</summary>
    public static string InMethod(string body) => $$"""
        using System;
        using System.Linq;
        using Microsoft.ML;
        using MLNet.CnnDiagnostics;

        class Program
        {
            static void Run(MLContext ml, IDataView data)
            {
        {{body}}
            }
        }
        """;

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        // dotnet root is three folders above shared/Microsoft.NETCore.App/<version>/
        var runtime = new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory());
        string dotnetRoot = runtime.Parent!.Parent!.Parent!.FullName;
        string version = Environment.Version.ToString(3);
        string refPacks = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        string refDir = Path.Combine(refPacks, version, "ref", "net10.0");
        if (!Directory.Exists(refDir))
        {
            refDir = Directory.GetDirectories(refPacks)
                .Select(d => Path.Combine(d, "ref", "net10.0"))
                .Where(Directory.Exists)
                .OrderBy(d => d, StringComparer.Ordinal)
                .Last();
        }
        var files = Directory.GetFiles(refDir, "*.dll")
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "Microsoft.ML*.dll").Where(IsManagedAssembly));
        return files.Select(f => (MetadataReference)MetadataReference.CreateFromFile(f)).ToImmutableArray();
    }

    private static bool IsManagedAssembly(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        return pe.HasMetadata && pe.GetMetadataReader().IsAssembly;
    }
}
