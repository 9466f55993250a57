namespace MLNet.CnnDiagnostics.Tests.Onnx;

/// <summary>
/// The graph layer owns the ONNX protobuf classes: only files in src/MLNet.CnnDiagnostics/Onnx/ may name their namespace;
/// everything else reads graphs through GraphNode and edits them through GraphRewriter.
/// </summary>
[TestClass]
public sealed class GraphLayerBoundaryTests
{
    private const string ProtobufNamespace = "MLNet.CnnDiagnostics.Onnx.Proto";

    [TestMethod]
    public void OnlyTheGraphLayerNamesTheProtobufClasses()
    {
        string root = Zoo.Zoo.RepositoryRoot();
        string graphLayer = Path.Combine(root, "src", "MLNet.CnnDiagnostics", "Onnx") + Path.DirectorySeparatorChar;
        var scanned = new[] { "src", "tools", "samples", "bench" }
            .Select(d => Path.Combine(root, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"))
            .ToList();
        Assert.IsTrue(scanned.Count(f => f.StartsWith(graphLayer, StringComparison.Ordinal)) > 5, "the scan did not find the graph layer's own files; is the repository root right?");
        var offenders = scanned
            .Where(f => !f.StartsWith(graphLayer, StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains(ProtobufNamespace, StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.AreEqual(0, offenders.Count, $"files outside src/MLNet.CnnDiagnostics/Onnx/ name {ProtobufNamespace}: {string.Join(", ", offenders)}");
    }
}
