using System.Text;
using MLNet.CnnDiagnostics.Ops;

namespace MLNet.CnnDiagnostics.Tests.Ops;

/// <summary>The README's list of supported ONNX ops is the op table itself: one row per op family, generated from it.</summary>
[TestClass]
public sealed class OpTableReadmeTests
{
    private const string Begin = "<!-- ops:begin (generated from the op table by OpTableReadmeTests; CNNDIAG_WRITE_README=1 rewrites it) -->";
    private const string End = "<!-- ops:end -->";

    [TestMethod]
    public void ReadmeListsExactlyTheOpTable()
    {
        string readme = Path.Combine(Zoo.Zoo.RepositoryRoot(), "README.md");
        string text = File.ReadAllText(readme);
        int start = text.IndexOf(Begin, StringComparison.Ordinal), end = text.IndexOf(End, StringComparison.Ordinal);
        Assert.IsTrue(start >= 0 && end > start, "the README has the generated op table between its markers");
        string expected = Table();
        string actual = text[(start + Begin.Length)..end];
        if (actual != expected && Environment.GetEnvironmentVariable("CNNDIAG_WRITE_README") == "1")
        {
            File.WriteAllText(readme, text[..(start + Begin.Length)] + expected + text[end..]);
            actual = expected;
        }
        Assert.AreEqual(expected, actual, "the README's op table differs from the op table; run the tests with CNNDIAG_WRITE_README=1 to regenerate it");
    }

    [TestMethod]
    public void EveryOpHasOneDefinition_AndEveryDifferentiableOneABackwardRule()
    {
        var types = OpTable.OpTypes;
        Assert.AreEqual(types.Count, types.Distinct().Count());
        foreach (var op in types) Assert.IsNotNull(OpTable.Find(op), op);
        Assert.IsNull(OpTable.Find("NoSuchOp"));
        foreach (var definition in OpTable.Definitions.Where(d => d.Differentiable))
        {
            var declared = definition.GetType().GetMethods().Where(m => m.Name == "Backward" && m.DeclaringType != typeof(OpDefinition));
            Assert.IsTrue(declared.Any(), $"{definition.GetType().Name} is differentiable but writes no backward rule");
        }
    }

    private static string Table()
    {
        var sb = new StringBuilder("\n");
        sb.Append($"{OpTable.OpTypes.Count} op types in {OpTable.Definitions.Count()} definitions ({OpTable.DifferentiableOpTypes.Count} with a backward rule).\n\n");
        sb.Append("| ops | gradient | receptive field |\n|---|---|---|\n");
        foreach (var d in OpTable.Definitions.OrderBy(d => d.OpTypes[0], StringComparer.Ordinal))
        {
            string gradient = d.Differentiable ? "backward rule" : d.Field == FieldRule.Metadata ? "none (shape or metadata)" : "zero (piecewise constant): stops";
            sb.Append($"| {string.Join(", ", d.OpTypes)} | {gradient} | {d.FieldDescription} |\n");
        }
        return sb.ToString();
    }
}
