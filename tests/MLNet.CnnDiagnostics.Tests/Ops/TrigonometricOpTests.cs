using MLNet.CnnDiagnostics.Ops;
using MLNet.CnnDiagnostics.Tests.Gradients;
using static MLNet.CnnDiagnostics.Tests.Gradients.TinyModel;

namespace MLNet.CnnDiagnostics.Tests.Ops;

/// <summary>Sin and Cos: backward rules against central finite differences, over more than a half period.</summary>
[TestClass]
public sealed class TrigonometricOpTests
{
    [TestMethod]
    public void SinAndCos_MatchFiniteDifferences()
    {
        var m = new TinyModel([1, 2, 3, 4]);
        m.Node("Mul", ["x", m.Scalar("factor", 2.5f)], "xs");                          // x in [−2.5, 2.5]: both signs of sin and cos
        m.Node("Sin", ["xs"], "a");
        m.Node("Cos", ["xs"], "b");
        m.Node("Concat", ["a", "b"], "y", I("axis", 1));
        double error = FiniteDifferences.Check(m.Build("y"), m.InputShape, seed: 7);
        Assert.IsLessThan(2e-3, error, $"relative error {error:E2}");
    }

    [TestMethod]
    public void SinAndCos_ArePositionWise()
    {
        Assert.AreEqual(FieldRule.PositionWise, OpTable.Find("Sin")!.Field);
        Assert.AreEqual(FieldRule.PositionWise, OpTable.Find("Cos")!.Field);
    }
}
