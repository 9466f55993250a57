using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace MLNet.CnnDiagnostics.Analyzers.Onnx;

/// <summary>
/// Finds and reads (once per compilation) the ONNX model a pipeline names by a constant path. The model is known when
/// an AdditionalFiles item has that file name (the path's longest matching suffix wins), or when the path itself leads
/// to a file: as given when absolute, else under the project folder (<c>build_property.MSBuildProjectDirectory</c>, made
/// visible by the package's props) or beside the source file that names it. Anything unreadable is simply not known.
/// </summary>
public sealed class ModelFiles
{
    private const long MaxModelBytes = 1L << 30;

    private readonly ImmutableArray<AdditionalText> additionalModels;
    private readonly string? projectDirectory;
    private readonly ConcurrentDictionary<string, Lazy<OnnxGraphNames?>> cache = new(StringComparer.Ordinal);

    private ModelFiles(ImmutableArray<AdditionalText> additionalModels, string? projectDirectory)
    {
        this.additionalModels = additionalModels;
        this.projectDirectory = projectDirectory;
    }

    /// <summary>The model files of one compilation.</summary>
    public static ModelFiles Of(AnalyzerOptions options)
    {
        var models = options.AdditionalFiles.Where(f => f.Path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)).ToImmutableArray();
        options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue("build_property.MSBuildProjectDirectory", out string? project);
        return new ModelFiles(models, string.IsNullOrWhiteSpace(project) ? null : project);
    }

    /// <summary>The names and op types of the model at <paramref name="modelPath"/>, named in <paramref name="sourcePath"/>; null when it is not known.</summary>
    public (string FileName, OnnxGraphNames Names)? Read(string modelPath, string? sourcePath, CancellationToken token)
    {
        if (modelPath.Length == 0 || modelPath.IndexOfAny(Path.GetInvalidPathChars()) >= 0) return null;
        if (FindAdditional(modelPath) is { } item)
        {
            var names = cache.GetOrAdd("additional:" + item.Path, _ => new Lazy<OnnxGraphNames?>(() => ReadAdditional(item, token))).Value;
            return names is null ? null : (Path.GetFileName(Normalize(item.Path)), names);
        }
        foreach (string candidate in Candidates(modelPath, sourcePath))
        {
            var names = cache.GetOrAdd("file:" + candidate, _ => new Lazy<OnnxGraphNames?>(() => ReadFile(candidate) is { } bytes ? OnnxNameReader.TryRead(bytes) : null)).Value;
            if (names is not null) return (Path.GetFileName(Normalize(candidate)), names);
        }
        return null;
    }

    private string[] Candidates(string modelPath, string? sourcePath)
    {
        try
        {
            if (Path.IsPathRooted(modelPath)) return [modelPath];
            string? sourceDirectory = string.IsNullOrEmpty(sourcePath) || !Path.IsPathRooted(sourcePath) ? null : Path.GetDirectoryName(sourcePath);
            return new[] { projectDirectory, sourceDirectory }.Where(d => d is not null).Select(d => Path.GetFullPath(Path.Combine(d!, modelPath))).Distinct().ToArray();
        }
        catch (ArgumentException)
        {
            return [];
        }
    }

    private AdditionalText? FindAdditional(string modelPath)
    {
        string wanted = Normalize(modelPath);
        string fileName = Path.GetFileName(wanted);
        var sameName = additionalModels.Where(m => string.Equals(Path.GetFileName(Normalize(m.Path)), fileName, StringComparison.OrdinalIgnoreCase)).ToList();
        string suffix = "/" + (wanted.StartsWith("./", StringComparison.Ordinal) ? wanted.Substring(2) : wanted);
        return sameName.FirstOrDefault(m => ("/" + Normalize(m.Path)).EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) ?? sameName.FirstOrDefault();
    }

    private static string Normalize(string path) => path.Replace('\\', '/');

    private static OnnxGraphNames? ReadAdditional(AdditionalText model, CancellationToken token)
    {
        // the file first: asking csc for the text of a binary file fails the build (CS2015)
        if (ReadFile(model.Path) is { } bytes) return OnnxNameReader.TryRead(bytes);
        // no file behind it (an editor buffer): use the text when decoding lost nothing (no U+FFFD)
        var text = model.GetText(token);
        if (text is null || text.Length > MaxModelBytes) return null;
        string content = text.ToString();
        return content.IndexOf('\uFFFD') < 0 ? OnnxNameReader.TryRead((text.Encoding ?? Encoding.UTF8).GetBytes(content)) : null;
    }

#pragma warning disable RS1035 // the model is named by the code being compiled; the compiler has no binary form of it, so read the bytes themselves
    private static byte[]? ReadFile(string path)
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
        catch (NotSupportedException)
        {
            return null;
        }
    }
#pragma warning restore RS1035
}
