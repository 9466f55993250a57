using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using MLNet.CnnDiagnostics.Analyzers.Onnx;

namespace MLNet.CnnDiagnostics.Analyzers;

/// <summary>
/// CNND005: a layer name given to a tap as a string constant is not a node or tensor of the ONNX model. The model is the
/// tap's <c>modelPath</c>, else the <c>modelFile</c> of the nearest <c>ApplyOnnxModel</c> before it in the chain, and is
/// only checked when a project AdditionalFiles item has that file name.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnknownLayerNameAnalyzer : PipelineAnalyzer
{
    private const long MaxModelBytes = 1L << 30;

    /// <summary>Creates the analyzer.</summary>
    public UnknownLayerNameAnalyzer()
        : base(CnnDiagnosticsRules.UnknownLayerName, OperationKind.Invocation)
    {
    }

    /// <inheritdoc />
    protected override void Register(CompilationStartAnalysisContext context, PipelineFlow flow)
    {
        var models = context.Options.AdditionalFiles.Where(f => f.Path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)).ToImmutableArray();
        if (models.IsEmpty) return;
        var namesByPath = new ConcurrentDictionary<string, Lazy<OnnxGraphNames?>>(StringComparer.Ordinal);
        context.RegisterOperationAction(c => AnalyzeTap(c, flow, models, namesByPath), OperationKind.Invocation);
    }

    private void AnalyzeTap(OperationAnalysisContext context, PipelineFlow flow, ImmutableArray<AdditionalText> models, ConcurrentDictionary<string, Lazy<OnnxGraphNames?>> namesByPath)
    {
        var tap = (IInvocationOperation)context.Operation;
        if (!PipelineApi.IsTap(tap.TargetMethod)) return;
        var layers = PipelineApi.LayerNames(tap).ToList();
        if (layers.Count == 0) return;
        var modelPath = PipelineApi.ModelPath(tap) ?? ModelOfPrecedingOnnxStage(tap, flow);
        if (modelPath is null || FindModel(models, modelPath) is not { } model) return;

        var token = context.CancellationToken;
        var names = namesByPath.GetOrAdd(model.Path, _ => new Lazy<OnnxGraphNames?>(() => Read(model, token))).Value;
        if (names is null) return;
        string modelName = Path.GetFileName(Normalize(model.Path));
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
            .Where(s => s.Invocation?.TargetMethod.Name == "ApplyOnnxModel")
            .Select(s => PipelineApi.ModelPath(s.Invocation!))
            .FirstOrDefault();
    }

    private static AdditionalText? FindModel(ImmutableArray<AdditionalText> models, string modelPath)
    {
        string wanted = Normalize(modelPath);
        string fileName = Path.GetFileName(wanted);
        var sameName = models.Where(m => string.Equals(Path.GetFileName(Normalize(m.Path)), fileName, StringComparison.OrdinalIgnoreCase)).ToList();
        string suffix = "/" + (wanted.StartsWith("./", StringComparison.Ordinal) ? wanted.Substring(2) : wanted);
        return sameName.FirstOrDefault(m => ("/" + Normalize(m.Path)).EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) ?? sameName.FirstOrDefault();
    }

    private static string Normalize(string path) => path.Replace('\\', '/');

    private static OnnxGraphNames? Read(AdditionalText model, CancellationToken token)
    {
        // the file first: asking csc for the text of a binary file fails the build (CS2015)
        if (ReadModelFile(model.Path) is { } bytes) return OnnxNameReader.TryRead(bytes);
        // no file behind it (an editor buffer): use the text when decoding lost nothing (no U+FFFD)
        var text = model.GetText(token);
        if (text is null || text.Length > MaxModelBytes) return null;
        string content = text.ToString();
        return content.IndexOf('\uFFFD') < 0 ? OnnxNameReader.TryRead((text.Encoding ?? Encoding.UTF8).GetBytes(content)) : null;
    }

#pragma warning disable RS1035 // the model is a declared AdditionalFiles input; the compiler has no binary form of it, so read the bytes themselves
    private static byte[]? ReadModelFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists && info.Length <= MaxModelBytes ? File.ReadAllBytes(path) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
#pragma warning restore RS1035
}
