using MLNet.CnnDiagnostics.Onnx;
using MLNet.CnnDiagnostics.Reporting;
using MLNet.CnnDiagnostics.Reporting.Sections;
using Google.Protobuf;
using static MLNet.CnnDiagnostics.Tests.Onnx.TinyModels;

namespace MLNet.CnnDiagnostics.Tests.Data;

[TestClass]
public sealed class DisplayTextTests
{
    [TestMethod]
    public void Escape_WritesControlAndBidiOverrideCharactersVisibly_AndLeavesOtherTextAlone()
    {
        Assert.AreEqual("\\x1b]0;title\\x07conv", DisplayText.Escape("\u001b]0;title\u0007conv"));
        Assert.AreEqual("a\\x0ab\\x9bc", DisplayText.Escape("a\nb\u009bc"), "line breaks and C1 controls too");
        Assert.AreEqual("file\\u202egnp.exe", DisplayText.Escape("file\u202egnp.exe"), "a right-to-left override would disguise the name");
        Assert.AreEqual("Faltung 3×3 — ü", DisplayText.Escape("Faltung 3×3 — ü"));
        StringAssert.Contains(ClosestNames.Suggest("conv", ["\u001b[2Jconv1"]), "\\x1b[2Jconv1");
    }

    [TestMethod]
    public void Decisions_WithLabelsButNoKnownOne_SaysSoInsteadOfFailingOnAnEmptyBatch()
    {
        var graph = ModelGraph.Load(SmallCnn().ToByteArray(), "small");
        using var context = new ReportContext(graph, "features", new FloatTensor(2, 2, 8, 8), new VisualizationOptions()) { Labels = [-1, -1] };
        context.Predictions = [0, 1];
        var e = Assert.ThrowsExactly<CnnDiagnosticsException>(() => DecisionsSection.ChooseRows(context));
        StringAssert.Contains(e.Message, "0 of 2 rows have a label");
        Assert.IsFalse(e.Message.Contains("stack"), e.Message);
    }
}
